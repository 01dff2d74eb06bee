/** A JSON object column's value (metadata, config, permissions...). */
export type JsonObject = Record<string, unknown>;
