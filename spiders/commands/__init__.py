"""Project commands (COMMANDS_MODULE): Scrapy's own, with baokan's argument checks."""
