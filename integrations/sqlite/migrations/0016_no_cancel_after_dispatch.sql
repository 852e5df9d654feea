-- An order with a parcel that has left cannot be cancelled (its stock went
-- with the carrier): the database refuses, whoever asks and whatever raced.
CREATE TRIGGER orders_no_cancel_after_dispatch BEFORE UPDATE OF status ON orders
WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
    AND EXISTS (SELECT 1 FROM parcels WHERE order_id = NEW.id AND status = 'dispatched')
BEGIN
    SELECT RAISE(ABORT, 'a parcel of this order has left with the carrier, so it cannot be cancelled; mark it an exception instead');
END;
