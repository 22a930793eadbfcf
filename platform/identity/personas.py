"""Test personas of the sandbox identity provider (fictional; "Testanmeldung")."""

PERSONAS = {
    "erika": {
        "label": "Erika Mustermann (substanziell)",
        "level": "substantial",
        "attributes": {
            "pseudonym": "sandbox-bpk2-erika-0001",
            "given_name": "Erika",
            "family_name": "Mustermann",
            "birth_date": "1964-08-12",
            "street": "Heidestraße 17",
            "postal_code": "41812",
            "locality": "Erkelenz",
            "email": "erika.mustermann@sandbox.example",
            "nationality": "DE",
            "mailbox_handle": "sandbox-postkorb-erika-0001",
        },
    },
    "max": {
        "label": "Max Beispiel (basisregistriert)",
        "level": "basic",
        "attributes": {
            "pseudonym": "sandbox-bpk2-max-0002",
            "given_name": "Max",
            "family_name": "Beispiel",
            "birth_date": "",
            "street": "",
            "postal_code": "",
            "locality": "",
            "email": "max.beispiel@sandbox.example",
            "nationality": "",
            "mailbox_handle": "sandbox-postkorb-max-0002",
        },
    },
    "hannah": {
        "label": "Hannah Probe (hoch)",
        "level": "high",
        "attributes": {
            "pseudonym": "sandbox-bpk2-hannah-0003",
            "given_name": "Hannah",
            "family_name": "Probe",
            "birth_date": "1988-03-02",
            "street": "Am Demoweg 3",
            "postal_code": "52538",
            "locality": "Gangelt",
            "email": "hannah.probe@sandbox.example",
            "nationality": "DE",
            "mailbox_handle": "sandbox-postkorb-hannah-0003",
        },
    },
}
