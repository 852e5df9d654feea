-- The Overview's trends (as SQLite's 0023): the parcels delivered from an
-- index, and the warehouse a shipment without a parcel left from.
CREATE INDEX shipments_delivered ON shipments (delivered_at) WHERE delivered_at IS NOT NULL;
ALTER TABLE shipments ADD COLUMN warehouse_id BIGINT REFERENCES warehouses (id);
