"""Word-similarity threshold for the catalogue search, as a database default so the trigram
GIN index can serve `<%` (the default 0.6 misses typos like "Gewerbeanmeldnug")."""

from django.db import migrations

SET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.45',
                 current_database());
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.similarity_threshold = 0.45',
                 current_database());
END $$;
SET pg_trgm.word_similarity_threshold = 0.45;
SET pg_trgm.similarity_threshold = 0.45;
-- The planner does not know that trigram comparisons are costly, and on a 5,000-row table it
-- prefers a sequential scan (70 ms) over the GIN index (3 ms). Tell it.
ALTER FUNCTION public.word_similarity_op(text, text) COST 1000;
ALTER FUNCTION public.word_similarity_commutator_op(text, text) COST 1000;
ALTER FUNCTION public.similarity_op(text, text) COST 1000;
"""
RESET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold', current_database());
  EXECUTE format('ALTER DATABASE %I RESET pg_trgm.similarity_threshold', current_database());
END $$;
ALTER FUNCTION public.word_similarity_op(text, text) COST 1;
ALTER FUNCTION public.word_similarity_commutator_op(text, text) COST 1;
ALTER FUNCTION public.similarity_op(text, text) COST 1;
"""


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunSQL(SET, RESET)]
