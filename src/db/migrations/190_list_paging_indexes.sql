-- Every list endpoint reads one keyset page at a time (limit + 1 rows in key order); these indexes let
-- each page start where the previous one stopped instead of sorting the whole list for every page.

-- GET /api/v1/units: by province, traffic police before commune police, then code
CREATE INDEX handling_units_list ON handling_units (province, kind DESC, code);

-- GET /api/v1/escalations (active) and /escalations/form04: escalated notices oldest first, per escalation kind
CREATE INDEX notices_escalated_list ON notices (escalation_kind, escalated_at, id) WHERE status = 'escalated';

-- GET /api/v1/escalations?state=lifted: holds lifted by resolution, newest first
CREATE INDEX notices_lifted_list ON notices (escalation_kind, resolved_at DESC, id) WHERE status = 'resolved' AND escalated_at IS NOT NULL;
