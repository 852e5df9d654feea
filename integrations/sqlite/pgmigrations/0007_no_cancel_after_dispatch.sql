-- An order with a parcel that has left cannot be cancelled (its stock went
-- with the carrier): the database refuses, whoever asks and whatever raced.
CREATE FUNCTION orders_no_cancel_after_dispatch() RETURNS trigger LANGUAGE plpgsql SET search_path = portolan, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM parcels WHERE order_id = NEW.id AND status = 'dispatched') THEN
        RAISE EXCEPTION 'a parcel of this order has left with the carrier, so it cannot be cancelled; mark it an exception instead';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER orders_no_cancel_after_dispatch BEFORE UPDATE OF status ON orders
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION orders_no_cancel_after_dispatch();
