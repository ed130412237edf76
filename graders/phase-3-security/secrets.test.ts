import { useChecks } from '../harness/check';
import { checkNoSecretsCommitted } from '../shared/secrets';
import { checks } from './checks';

const check = useChecks(checks);

// The scan itself lives in ../shared/secrets.ts: phase 4 runs the very same one.
check('secrets.none-committed', checkNoSecretsCommitted);
