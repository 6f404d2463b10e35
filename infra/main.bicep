// Alliance Pipeline in Azure: a Flex Consumption Function App running the .NET isolated worker (dotnet-isolated 10.0),
// its storage account (tables, queues, the reports and studies containers; no public blob access, TLS 1.2, Shared Key
// off), a user-assigned managed identity holding the storage data roles and reading Key Vault, a Key Vault holding the
// link signing keys and the SMTP password (the app reads them through Key Vault references), and Application Insights
// on a Log Analytics workspace. Deploy: docs/deploy.md (az deployment group create -g <rg> -p infra/main.bicepparam).
targetScope = 'resourceGroup'

@description('Short prefix for resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Location of every resource.')
param location string = resourceGroup().location

@description('Maximum instances the app scales out to with queue length.')
param maximumInstanceCount int = 40

@description('Memory per instance (MB): 512, 2048 or 4096.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Link signing keys, as "keyId=BASE64" pairs (at least 32 random bytes each) separated by ";". Stored in Key Vault; the app reads them through a Key Vault reference.')
@secure()
param linkSigningKeys string

@description('The id, among linkSigningKeys, of the key that signs new links (older keys keep verifying until removed).')
param linkSigningCurrentKeyId string

@description('The SMTP server mail is sent through (host name).')
param smtpHost string

@description('The SMTP port: 587 for STARTTLS, 465 for TLS from the first byte.')
@minValue(1)
@maxValue(65535)
param smtpPort int = 587

@description('How the SMTP connection is protected (unencrypted SMTP is only for a loopback host, never in Azure).')
@allowed(['starttls', 'tls'])
param smtpSecurity string = 'starttls'

@description('The SMTP login; empty for a server that needs none.')
param smtpUser string = ''

@description('The SMTP password of smtpUser; empty with no login. Stored in Key Vault; the app reads it through a Key Vault reference.')
@secure()
param smtpPassword string = ''

@description('Object id of the person or group who operates the study (bootstraps the first admin key, replays poison queues): gets the storage table and queue data roles and may set Key Vault secrets. Empty: none.')
param operatorPrincipalId string = ''

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('The sender of every mail: an address with an optional display name, e.g. "Alliance Pipeline <noreply@example.org>".')
param smtpFrom string

var suffix = uniqueString(resourceGroup().id, namePrefix)
var storageName = toLower('${namePrefix}${take(suffix, 13)}')
// The app's names (src/AlliancePipeline.Functions/Storage/StorageNames.cs); a test keeps them equal.
var tableNames = ['Studies', 'Participants', 'Assessments', 'Responses', 'ClusterRuns', 'Audit', 'Outcomes', 'Alerts', 'Mail', 'AccessKeys']
var queueNames = ['responses', 'responses-poison', 'outbox', 'outbox-poison']
var containerNames = ['reports', 'studies']
var deploymentContainer = 'app-package'

// Built-in role definition ids.
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // managed identity only
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in containerNames: {
  parent: blobService
  name: c
  properties: { publicAccess: 'None' }
}]

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for q in queueNames: {
  parent: queueService
  name: q
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for t in tableNames: {
  parent: tableService
  name: t
}]

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for r in [roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor]: {
  name: guid(storage.id, identity.id, r)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', r)
  }
}]

// The operator (bootstraps the first admin key with `alliance keys bootstrap --account`, replays poison queues).
resource operatorRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for r in (empty(operatorPrincipalId) ? [] : [roles.queueDataContributor, roles.tableDataContributor]): {
  name: guid(storage.id, operatorPrincipalId, r)
  scope: storage
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', r)
  }
}]

// Secrets: the link signing keys and the SMTP password. RBAC authorization; the app's identity reads secrets, the
// operator may set them (key rotation: docs/deploy.md).
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${namePrefix}-kv-${take(suffix, 8)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource signingKeysSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'link-signing-keys'
  properties: { value: linkSigningKeys, contentType: 'keyId=BASE64;keyId2=BASE64' }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: 'smtp-password'
  properties: { value: smtpPassword, contentType: 'SMTP password' }
}

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource vaultOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-ai'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${namePrefix}-app-${take(suffix, 6)}'
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references are resolved with the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Identity-based connection: the host (triggers) and the worker (SDK clients) reach storage with the managed identity.
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        // The worker's own settings (src/AlliancePipeline.Functions/Settings/AppSettings.cs). The public address
        // defaults to https://WEBSITE_HOSTNAME, which Azure sets.
        { name: 'AlliancePipeline__Storage__CreateResources', value: 'false' }
        { name: 'AlliancePipeline__Links__Lifetime', value: '30.00:00:00' }
        { name: 'LinkSigning__Keys', value: '@Microsoft.KeyVault(SecretUri=${signingKeysSecret.properties.secretUri})' }
        { name: 'LinkSigning__CurrentKeyId', value: linkSigningCurrentKeyId }
        // Mail (SendEmail): TLS in Azure.
        { name: 'AlliancePipeline__Smtp__Host', value: smtpHost }
        { name: 'AlliancePipeline__Smtp__Port', value: string(smtpPort) }
        { name: 'AlliancePipeline__Smtp__Security', value: smtpSecurity }
        { name: 'AlliancePipeline__Smtp__User', value: smtpUser }
        { name: 'AlliancePipeline__Smtp__Password', value: empty(smtpPassword) ? '' : '@Microsoft.KeyVault(SecretUri=${smtpPasswordSecret!.properties.secretUri})' }
        { name: 'AlliancePipeline__Smtp__From', value: smtpFrom }
      ]
    }
  }
  dependsOn: [storageRoles, vaultReader]
}

output functionAppName string = app.name
output storageAccountName string = storage.name
output keyVaultName string = vault.name
output questionnaireBaseUrl string = 'https://${app.properties.defaultHostName}/api/q/'
