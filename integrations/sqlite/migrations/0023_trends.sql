-- Portolan schema 23: the Overview's trends.
-- The delivered-on-time trend counts the parcels delivered in the last 8
-- weeks; without an index it read every shipment ever made.
CREATE INDEX shipments_delivered ON shipments (delivered_at) WHERE delivered_at IS NOT NULL;
-- The warehouse a shipment without a parcel left from, where it is known
-- (history loaded in bulk), for the ship-on-time trend per warehouse.
ALTER TABLE shipments ADD COLUMN warehouse_id INTEGER REFERENCES warehouses (id);
