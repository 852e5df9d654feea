-- Ship-by promises are settings documents: the channels' rules
-- ('ship_rules') are the coordinators' to change, a warehouse's calendar
-- ('calendar.CODE': working days, holidays, carrier pickups) its own
-- people's and the coordinators'. Admins change every setting already.
DO $$
BEGIN
    EXECUTE format($p$CREATE POLICY promises ON settings TO %I USING (key = 'ship_rules' OR key LIKE 'calendar.%%')
                   WITH CHECK (key = 'ship_rules' OR key LIKE 'calendar.%%')$p$, team_role('coordinator'));
    EXECUTE format($p$CREATE POLICY calendars ON settings TO %I
                   USING (key LIKE 'calendar.%%' AND may_work_in((SELECT id FROM warehouses WHERE code = substr(key, 10))))
                   WITH CHECK (key LIKE 'calendar.%%' AND may_work_in((SELECT id FROM warehouses WHERE code = substr(key, 10))))$p$,
                   team_role('warehouse'));
END $$;
