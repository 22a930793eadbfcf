"""The local extension of the catalogue (tenant schema): offices and each tenant's offer."""
