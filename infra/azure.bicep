// Switchboard on Azure, provisioned by teamsapp.yml (arm/deploy):
// - one Linux web app running the server (Teams bot, admin API, carrier webhooks, tab files);
// - the Azure Bot registration with the Teams channel, pointing at the web app;
// - a storage account for tables (data) and queues (outbound SMS, long jobs);
// - a Key Vault holding every secret the server needs, read through Key Vault references;
// - Log Analytics + Application Insights.
// arm/deploy writes each `output` below into env/.env.<env> under the same name.

@minLength(4)
@maxLength(16)
@description('Lower-case letters and digits only: part of every resource name, and several names must be globally unique.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU. B1 is the smallest that supports Always On, which the queue workers need.')
param webAppSku string = 'B1'

@description('Runtime stack of the web app.')
param linuxFxVersion string = 'NODE|20-lts'

@maxLength(42)
param botDisplayName string

@description('Client id of the bot\'s Entra app (botAadApp/create).')
param botAadAppClientId string

@secure()
param botAadAppClientSecret string

@description('Tenant of the bot\'s Entra app: a single-tenant bot gets its Bot Framework tokens there.')
param botTenantId string

@description('New multi-tenant Azure Bots can no longer be created; SingleTenant still serves users of other tenants who install the app.')
@allowed([
  'SingleTenant'
  'MultiTenant'
])
param botAppType string = 'SingleTenant'

@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('Client id of the SSO and directory-sync Entra app (aadApp/create); the audience of tab tokens.')
param aadAppClientId string

@secure()
@description('Secret of that app, used for Microsoft Graph client credentials (directory sync).')
param aadAppClientSecret string

@description('Home tenant of the SSO app.')
param aadAppTenantId string

@description('For example https://login.microsoftonline.com')
param aadAppOauthAuthorityHost string

@description('Comma-separated tenant ids whose users may act as the service provider; empty means the SSO app\'s home tenant.')
param providerTenantIds string = ''

@secure()
@description('Key that encrypts secrets kept in tables (carrier credentials); 64 hex characters. Changing it makes stored secrets unreadable.')
param encryptionKey string

@description('Tables created up front (shared/src/services.ts TABLES); the server also creates missing tables on start.')
param tableNames array = [
  'enterprises'
  'activity'
]

param queueNames array = [
  'sms-outbound'
  'jobs'
]

var compactName = toLower(replace(resourceBaseName, '-', ''))
var tags = {
  app: 'switchboard'
}
// Always On is not available on the Free and Shared plans.
var alwaysOn = !contains([
  'F1'
  'D1'
  'FREE'
  'SHARED'
], toUpper(webAppSku))
// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// ---------------------------------------------------------------- monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceBaseName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceBaseName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

// ---------------------------------------------------------------- storage

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${compactName}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The server connects with a connection string (account key), kept in Key Vault.
    allowSharedKeyAccess: true
    accessTier: 'Hot'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for tableName in tableNames: {
  parent: tableService
  name: tableName
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

// ---------------------------------------------------------------- secrets

// Soft delete keeps a deleted vault's name reserved for 90 days: provisioning again after
// deleting the resource group needs a new RESOURCE_SUFFIX, or a purge of the old vault.
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceBaseName}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    publicNetworkAccess: 'Enabled'
  }
}

resource storageConnectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'storage-connection-string'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

resource encryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'encryption-key'
  properties: {
    value: encryptionKey
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-password'
  properties: {
    value: botAadAppClientSecret
  }
}

resource aadAppClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'aad-app-client-secret'
  properties: {
    value: aadAppClientSecret
  }
}

// ---------------------------------------------------------------- web app

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'asp-${resourceBaseName}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app-${resourceBaseName}'
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      // Start the built server directly: the package is read-only (run from package),
      // so `npm start`, which builds first, cannot work here.
      appCommandLine: 'node bot/dist/main.js'
      alwaysOn: alwaysOn
      healthCheckPath: '/api/health'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

resource webAppReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, webApp.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// A separate resource so the settings, and the restart that resolves the Key Vault
// references, come after the web app may read the vault.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  dependsOn: [
    webAppReadsSecrets
  ]
  properties: {
    NODE_ENV: 'production'
    WEBSITE_RUN_FROM_PACKAGE: '1'
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
    PUBLIC_BASE_URL: 'https://${webApp.properties.defaultHostName}'
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    STORAGE_CONNECTION_STRING: '@Microsoft.KeyVault(SecretUri=${storageConnectionStringSecret.properties.secretUri})'
    CREDENTIALS_KEYS: '@Microsoft.KeyVault(SecretUri=${encryptionKeySecret.properties.secretUri})'
    BOT_ID: botAadAppClientId
    BOT_PASSWORD: '@Microsoft.KeyVault(SecretUri=${botPasswordSecret.properties.secretUri})'
    BOT_TENANT_ID: botTenantId
    BOT_TYPE: botAppType
    // Tab SSO tokens, checked by the server (bot/src/config.ts). They are v2 tokens
    // (accessTokenAcceptedVersion 2 in aad.manifest.json), whose audience is the client id;
    // the application ID URI is accepted as well.
    AUTH_MODE: 'entra'
    AUTH_AUTHORITY: aadAppOauthAuthorityHost
    AUTH_CLIENT_ID: aadAppClientId
    AUTH_AUDIENCES: 'api://${webApp.properties.defaultHostName}/${aadAppClientId}'
    PROVIDER_TENANT_IDS: empty(providerTenantIds) ? aadAppTenantId : providerTenantIds
    // Microsoft Graph client credentials for the directory sync (the same multi-tenant app).
    GRAPH_CLIENT_ID: aadAppClientId
    GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${aadAppClientSecretSecret.properties.secretUri})'
  }
}

// ---------------------------------------------------------------- bot

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${resourceBaseName}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: botAppType
    msaAppTenantId: botAppType == 'SingleTenant' ? botTenantId : null
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// ---------------------------------------------------------------- outputs
// The server also serves the tab, so the bot and the tab share one host.

output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output TAB_DOMAIN string = webApp.properties.defaultHostName
output TAB_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output AZURE_BOT_SERVICE_RESOURCE_ID string = bot.id
output AZURE_KEY_VAULT_NAME string = keyVault.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.name
