/**
 * The registry: one module per control of the catalogue. Its type makes it total and exact: a control
 * without a module, a misspelt id, or a module registered under another control's id is a type error.
 * See `./control.ts` for how to add or replace a module.
 */
import { CONTROLS, ControlId } from '../catalogue';
import { ControlModule } from './control';
import { ENV_1 } from './env/env-1-own-account';
import { ENV_2 } from './env/env-2-production-retention';
import { ENV_3 } from './env/env-3-required-tags';
import { ENV_4 } from './env/env-4-first-deploy';
import { NET_1 } from './net/net-1-isolated-network';
import { NET_2 } from './net/net-2-private-endpoints';
import { NET_3 } from './net/net-3-security-group-flows';
import { NET_4 } from './net/net-4-flow-logs';
import { NET_5 } from './net/net-5-waf-public-entry';
import { NET_6 } from './net/net-6-data-perimeter';
import { KEY_1 } from './key/key-1-customer-managed-keys';
import { KEY_2 } from './key/key-2-key-policies';
import { KEY_3 } from './key/key-3-keys-per-purpose';
import { KEY_4 } from './key/key-4-tls-in-transit';
import { SEC_1 } from './sec/sec-1-no-secrets';
import { SEC_2 } from './sec/sec-2-least-privilege';
import { SEC_3 } from './sec/sec-3-ci-oidc';
import { SEC_4 } from './sec/sec-4-api-authentication';
import { SEC_5 } from './sec/sec-5-supply-chain';
import { DATA_1 } from './data/data-1-minimisation';
import { DATA_2 } from './data/data-2-macie-discovery';
import { DATA_3 } from './data/data-3-retention';
import { DATA_4 } from './data/data-4-no-pii-in-logs';
import { DATA_5 } from './data/data-5-explanations';
import { MODEL_1 } from './model/model-1-locked-model-bucket';
import { MODEL_2 } from './model/model-2-registry-approval';
import { MODEL_3 } from './model/model-3-artifact-integrity';
import { MODEL_4 } from './model/model-4-isolated-sagemaker';
import { MODEL_5 } from './model/model-5-safe-rollout';
import { MODEL_6 } from './model/model-6-verified-answers';
import { MODEL_7 } from './model/model-7-robustness';
import { MON_1 } from './mon/mon-1-data-drift';
import { MON_2 } from './mon/mon-2-prediction-drift';
import { MON_3 } from './mon/mon-3-alarm-routing';
import { MON_4 } from './mon/mon-4-health-dashboard';
import { MON_5 } from './mon/mon-5-anomaly-detection';
import { MON_6 } from './mon/mon-6-drift-attribution';
import { AUD_1 } from './aud/aud-1-immutable-trail';
import { AUD_2 } from './aud/aud-2-rule-packs';
import { AUD_3 } from './aud/aud-3-report';
import { AUD_4 } from './aud/aud-4-ci-gate';
import { AUD_5 } from './aud/aud-5-framework-mapping';
import { REL_1 } from './rel/rel-1-deadline';
import { REL_2 } from './rel/rel-2-capture-durability';

export type ControlRegistry = { readonly [Id in ControlId]: ControlModule<Id> };

export const CONTROL_MODULES: ControlRegistry = {
  'ENV-1': ENV_1,
  'ENV-2': ENV_2,
  'ENV-3': ENV_3,
  'ENV-4': ENV_4,
  'NET-1': NET_1,
  'NET-2': NET_2,
  'NET-3': NET_3,
  'NET-4': NET_4,
  'NET-5': NET_5,
  'NET-6': NET_6,
  'KEY-1': KEY_1,
  'KEY-2': KEY_2,
  'KEY-3': KEY_3,
  'KEY-4': KEY_4,
  'SEC-1': SEC_1,
  'SEC-2': SEC_2,
  'SEC-3': SEC_3,
  'SEC-4': SEC_4,
  'SEC-5': SEC_5,
  'DATA-1': DATA_1,
  'DATA-2': DATA_2,
  'DATA-3': DATA_3,
  'DATA-4': DATA_4,
  'DATA-5': DATA_5,
  'MODEL-1': MODEL_1,
  'MODEL-2': MODEL_2,
  'MODEL-3': MODEL_3,
  'MODEL-4': MODEL_4,
  'MODEL-5': MODEL_5,
  'MODEL-6': MODEL_6,
  'MODEL-7': MODEL_7,
  'MON-1': MON_1,
  'MON-2': MON_2,
  'MON-3': MON_3,
  'MON-4': MON_4,
  'MON-5': MON_5,
  'MON-6': MON_6,
  'AUD-1': AUD_1,
  'AUD-2': AUD_2,
  'AUD-3': AUD_3,
  'AUD-4': AUD_4,
  'AUD-5': AUD_5,
  'REL-1': REL_1,
  'REL-2': REL_2,
};

/** Every control module, in catalogue order. */
export function controlModules(): ControlModule[] {
  return CONTROLS.map((c) => CONTROL_MODULES[c.id] as ControlModule);
}

export function controlModule(id: ControlId): ControlModule {
  return CONTROL_MODULES[id] as ControlModule;
}
