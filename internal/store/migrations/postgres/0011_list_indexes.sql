-- Lists read a page in the order they show it, newest first, with a
-- keyset cursor: (org_id, updated_at, id) lets the database walk an
-- organization's live cases in that order and stop after one page, however
-- many the organization holds. The caseload counts on the dashboard read
-- (org_id, status, deleted_at) alone, without touching the rows.
CREATE INDEX cases_org_updated ON cases (org_id, updated_at, id) WHERE deleted_at IS NULL;
DROP INDEX cases_org_status;
CREATE INDEX cases_org_status ON cases (org_id, status, deleted_at);
-- An organization's referral queue, received and sent, the same way.
CREATE INDEX referrals_to_updated ON referrals (to_org_id, updated_at, id);
CREATE INDEX referrals_from_updated ON referrals (from_org_id, updated_at, id);
