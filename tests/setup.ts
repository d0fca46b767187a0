import { installAuditKey } from "../server/audit/key";
import { TEST_SERVER_KEYS } from "./helpers/keys";

// Tests that append audit entries straight through a database handle need the key a server installs at start.
installAuditKey(TEST_SERVER_KEYS.AUDIT_HMAC_KEY);
