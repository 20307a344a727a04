/**
 * Loopback stand-ins for services outside this machine (Microsoft Graph and Entra ID),
 * speaking their real wire formats. Used by dev mode and tests; never by production paths.
 */
export * from './graph';
export * from './carriers';
export * from './bot-connector';
