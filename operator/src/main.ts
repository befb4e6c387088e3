// MetadataCache operator entry point (filled in by the operator work).
export {};
