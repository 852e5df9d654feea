-- The orders search (SQLite: the FTS5 tables orders_fts and orders_words),
-- with the same rules: three or more characters anywhere, one or two at the
-- start of a word, accents optional. pg_trgm's GIN index serves the
-- substring search; both look in the folded search text (lower case,
-- accents removed). Both extensions are trusted: the database's owner may
-- create them.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA portolan;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA portolan;

-- fold is unaccent made IMMUTABLE (its dictionary named, as an index needs).
CREATE FUNCTION fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(portolan.unaccent('portolan.unaccent'::regdictionary, $1));

CREATE INDEX orders_search ON orders USING gin (fold(search_text) gin_trgm_ops);
