/** Records a measured value on the current check, beside its threshold (results.json, exercises:verify). */
export { measure as record } from '../../harness/check';
