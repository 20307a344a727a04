import type { Services } from '@switchboard/shared';
import type { Operation } from '../http/operation';
import { activityOperations } from './activity';
import { enterpriseOperations } from './enterprises';
import { meOperations } from './me';

/** Every admin API operation; mounted on the server and described in the OpenAPI document. */
export function adminOperations(services: Services): Operation[] {
  return [...meOperations(), ...enterpriseOperations(services), ...activityOperations(services)];
}
