import type { Services } from '@switchboard/shared';
import type { Operation } from '../http/operation';
import { activityOperations } from './activity';
import { carrierConnectionOperations } from './carrier-connections';
import { connectSmsOperations } from './connect-sms';
import { contactOperations } from './contacts';
import { dashboardOperations } from './dashboard';
import { conversationOperations } from './conversations';
import { directoryOperations } from './directory';
import { enterpriseOperations } from './enterprises';
import { meOperations } from './me';
import { messageOperations } from './messages';
import { numberOperations } from './numbers';
import { optOutOperations } from './opt-outs';
import { smsGroupOperations } from './sms-groups';
import { smsImportOperations } from './sms-import';
import { teamsOperations } from './teams';
import { userOperations } from './users';

/** Every admin API operation; mounted on the server and described in the OpenAPI document. */
export function adminOperations(services: Services): Operation[] {
  return [...meOperations(), ...enterpriseOperations(services), ...activityOperations(services), ...userOperations(services), ...directoryOperations(services), ...numberOperations(services), ...smsGroupOperations(services), ...smsImportOperations(services), ...connectSmsOperations(services), ...carrierConnectionOperations(services), ...optOutOperations(services), ...messageOperations(services), ...conversationOperations(services), ...contactOperations(services), ...dashboardOperations(services), ...teamsOperations(services)];
}
