-- Exchange rates stored before they were checked: a rate too small for the
-- eight decimals it was kept with was stored as 0 and made every later
-- payment fail. Such rates are removed (import them again); rates are now
-- kept with the decimals they were given (up to twelve).
DELETE FROM fx_rates WHERE CAST(rate AS REAL) <= 0 OR CAST(rate AS REAL) > 10000000;
