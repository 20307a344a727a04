import type { EntityType } from './odata';

/** The entity types the simulator serves, with the properties Graph returns by default. */

export const USER_TYPE: EntityType = {
  name: 'microsoft.graph.user',
  properties: [
    'id', 'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'accountEnabled', 'userType',
    'jobTitle', 'department', 'officeLocation', 'preferredLanguage', 'mobilePhone', 'businessPhones',
    'assignedPlans', 'createdDateTime',
  ],
  // Graph's default user properties: accountEnabled, userType and assignedPlans come only
  // when selected, so a sync that forgets $select does not see licences.
  defaultSelect: ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'],
};

export const GROUP_TYPE: EntityType = {
  name: 'microsoft.graph.group',
  properties: ['id', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes', 'createdDateTime'],
  defaultSelect: ['id', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes', 'createdDateTime'],
};

/** `/members` mixes users and groups: a property of either may be selected. */
export const DIRECTORY_OBJECT_TYPE: EntityType = {
  name: 'microsoft.graph.directoryObject',
  properties: [...new Set([...USER_TYPE.properties, ...GROUP_TYPE.properties])],
  defaultSelect: ['id', 'displayName'],
};
