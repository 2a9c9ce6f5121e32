-- What an outside security test broke, closed in the schema.

-- A referral remembers whether the consent it names was given with it:
-- that consent ends when the referral does (declined, completed, revoked,
-- expired). Consents of referrals that ended before this are ended now.
ALTER TABLE referrals ADD COLUMN own_consent BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE referrals SET own_consent = TRUE
    WHERE consent_id IN (SELECT id FROM consents WHERE purpose = 'referral');
UPDATE consents SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000
    WHERE revoked_at IS NULL AND id IN (SELECT consent_id FROM referrals
        WHERE own_consent AND status IN ('declined', 'completed', 'revoked', 'expired'));

-- A confidential place's custodian is the member organization whose staff
-- may read it: the one that ran the listing when the place was typed in.
-- Linking the directory organization to another member later does not
-- move it.
ALTER TABLE dir_locations ADD COLUMN custodian_org_id BIGINT REFERENCES organizations (id);
UPDATE dir_locations SET custodian_org_id =
    (SELECT o.member_org_id FROM dir_organizations o WHERE o.id = dir_locations.organization_id)
    WHERE confidential;

-- Every opening of a confidential address through a referral, for the
-- shelter to see who opened it.
CREATE TABLE location_reveals (
    id          INTEGER PRIMARY KEY,
    location_id TEXT   NOT NULL,
    referral_id BIGINT REFERENCES referrals (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    org_id      BIGINT NOT NULL REFERENCES organizations (id),
    at          BIGINT NOT NULL
);
CREATE INDEX location_reveals_location ON location_reveals (location_id, at);
CREATE INDEX location_reveals_user ON location_reveals (user_id, at);

-- A user's organization and roles are in force once the organization has
-- agreed to them: confirmed_org_id and confirmed_roles (space-separated)
-- are what a supervisor of that organization agreed to. Memberships that
-- exist today are taken as agreed.
ALTER TABLE users ADD COLUMN confirmed_org_id BIGINT REFERENCES organizations (id);
ALTER TABLE users ADD COLUMN confirmed_roles TEXT NOT NULL DEFAULT '';
UPDATE users SET confirmed_org_id = org_id,
    confirmed_roles = COALESCE((SELECT group_concat(role, ' ') FROM user_roles r WHERE r.user_id = users.id), '');

-- An API token carries no more than its account could do when it was made:
-- the roles in force then, in the organization then.
ALTER TABLE api_tokens ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN org_id BIGINT;
UPDATE api_tokens SET org_id = (SELECT u.org_id FROM users u WHERE u.id = api_tokens.user_id),
    roles = (SELECT confirmed_roles FROM users u WHERE u.id = api_tokens.user_id);

-- Sealed at rest: a verbal consent's witness and a break-the-glass reason
-- under the case's data key (an interpreter's language now goes with the
-- screening's sealed answers). The clear columns are emptied by the store
-- once it has sealed what they held (store.SealLegacy).
ALTER TABLE consents ADD COLUMN witness_ct BLOB;
ALTER TABLE break_glass ADD COLUMN reason_ct BLOB;
