// The only parts of teams-js the tab uses; importing them by name keeps the lazily
// loaded chunk tree-shaken (a namespace import would pull in the whole SDK).
export { app, authentication } from '@microsoft/teams-js';
