// Alliance Pipeline in Azure: a Flex Consumption Function App running the .NET isolated worker (dotnet-isolated 10.0),
// its storage account (tables, queues, the reports and studies containers; no public blob access, TLS 1.2, Shared Key
// off; blob soft delete and versioning), a user-assigned managed identity holding data roles on exactly the tables,
// queues and containers the app uses and reading Key Vault, a second identity that only writes the deployment package,
// a Key Vault holding the link signing keys and the SMTP password (the app reads them through Key Vault references),
// and Application Insights on a Log Analytics workspace that also receives the storage and Key Vault access logs.
// Deploy: docs/deploy.md (az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam); every
// parameter below is described there (a test keeps the two in step).
targetScope = 'resourceGroup'

@description('Short prefix for resource names: 3-11 lower-case letters and digits, starting with a letter (Key Vault and storage names allow no other). The deployment stops with a message when it is not.')
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

@description('Days a deleted or overwritten blob (report sets, study files, packages) and a deleted container can be restored; previous blob versions are deleted after as many days.')
@minValue(1)
@maxValue(365)
param blobRetentionDays int = 30

@description('Optional network restriction: public IPv4 addresses or CIDR ranges of the operators\' machines (a single address without /32). Non-empty: the app\'s deployment (scm) endpoint answers only them; with virtualNetworkSubnetId, storage and Key Vault also accept them. Empty: no address restriction.')
param allowedIpRanges array = []

@description('Optional network restriction: resource id of a subnet delegated to Microsoft.App/environments with the service endpoints Microsoft.Storage and Microsoft.KeyVault. Set: the app\'s outbound traffic goes through it, and storage and Key Vault refuse every network but it, allowedIpRanges and trusted Azure services. Empty: storage and Key Vault keep public endpoints (every request still needs an Entra identity with a role).')
param virtualNetworkSubnetId string = ''

@description('The sender of every mail: an address with an optional display name, e.g. "Alliance Pipeline <noreply@example.org>".')
param smtpFrom string

// The prefix starts Key Vault and storage account names: a lower-case letter, then lower-case letters and digits. Bicep
// has no pattern decorator, so an invalid prefix stops the deployment here, before anything is created.
var letters = 'abcdefghijklmnopqrstuvwxyz'
var prefixIsValid = contains(letters, first(namePrefix)) && empty(filter(range(0, length(namePrefix)), i => !contains('${letters}0123456789', substring(namePrefix, i, 1))))
var prefix = prefixIsValid ? namePrefix : fail('namePrefix must start with a lower-case letter and hold only lower-case letters and digits (Key Vault and storage account names), e.g. "alliance".')
var suffix = uniqueString(resourceGroup().id, prefix)
var storageName = '${prefix}${take(suffix, 13)}'
// The app's names (src/AlliancePipeline.Functions/Storage/StorageNames.cs); a test keeps them equal.
var tableNames = ['Studies', 'Participants', 'Assessments', 'Responses', 'ClusterRuns', 'Audit', 'Outcomes', 'Alerts', 'Mail', 'AccessKeys', 'AssessmentViews', 'Covariates']
var queueNames = ['responses', 'responses-poison', 'outbox', 'outbox-poison', 'reminders', 'reminders-poison']
var containerNames = ['reports', 'studies']
// The Functions host's own containers (timer locks and host keys), made here so the app needs no account-wide role.
var hostContainerNames = ['azure-webjobs-hosts', 'azure-webjobs-secrets']
var deploymentContainer = 'app-package'
var networkRestricted = !empty(virtualNetworkSubnetId)

// Built-in role definition ids.
var roles = {
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  blobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

// What the app is: the worker's SDK clients, the host's triggers and Key Vault references use this identity.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-id'
  location: location
}

// What the platform uploads and reads the deployment package with (Flex Consumption's deployment storage): the only
// identity with write rights on the package container, and no rights anywhere else.
resource deployIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-deploy-id'
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
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: networkRestricted ? 'Deny' : 'Allow'
      ipRules: [for r in (networkRestricted ? allowedIpRanges : []): { value: r, action: 'Allow' }]
      virtualNetworkRules: networkRestricted ? [{ id: virtualNetworkSubnetId, action: 'Allow' }] : []
    }
  }
}

// Soft delete and versioning: a report set or study file deleted or overwritten (by mistake or by someone holding the
// app's identity) can be restored for blobRetentionDays. Versioning is a property of the account's blob service, so
// it covers every container.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: blobRetentionDays }
    containerDeleteRetentionPolicy: { enabled: true, days: blobRetentionDays }
  }
}

// Previous versions go after blobRetentionDays, so versioning does not keep every overwritten blob for ever.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'] }
            actions: { version: { delete: { daysAfterCreationGreaterThan: blobRetentionDays } } }
          }
        }
      ]
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in containerNames: {
  parent: blobService
  name: c
  properties: { publicAccess: 'None' }
}]

resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in hostContainerNames: {
  parent: blobService
  name: c
  properties: { publicAccess: 'None' }
}]

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
  properties: { publicAccess: 'None' }
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

// The app's data roles, each on one table, queue or container (least privilege): read and write on what the app and
// the Functions host use, nothing account-wide, nothing on the deployment package.
resource tableRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (t, i) in tableNames: {
  name: guid(tables[i].id, identity.id, roles.tableDataContributor)
  scope: tables[i]
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
  }
}]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (q, i) in queueNames: {
  name: guid(queues[i].id, identity.id, roles.queueDataContributor)
  scope: queues[i]
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
  }
}]

resource containerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in containerNames: {
  name: guid(containers[i].id, identity.id, roles.blobDataContributor)
  scope: containers[i]
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}]

resource hostContainerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in hostContainerNames: {
  name: guid(hostContainers[i].id, identity.id, roles.blobDataContributor)
  scope: hostContainers[i]
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}]

// Flex Consumption's deployment storage: the identity named in functionAppConfig.deployment writes the package on
// every deploy (az functionapp deploy / config-zip upload it through the platform) and reads it on every start.
resource packageRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(packages.id, deployIdentity.id, roles.blobDataContributor)
  scope: packages
  properties: {
    principalId: deployIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}

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

// The operator keeps the report sets before taking the study down (docs/deploy.md §8: az storage blob download-batch
// --auth-mode login -s reports): read on the reports container, nothing else of the blobs.
resource operatorReportsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(containers[indexOf(containerNames, 'reports')].id, operatorPrincipalId, roles.blobDataReader)
  scope: containers[indexOf(containerNames, 'reports')]
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataReader)
  }
}

// Access logs: every read, write and delete on the blobs, queues and tables, and every Key Vault operation (AuditEvent),
// go to the Log Analytics workspace (kept there for its retention, 30 days).
var storageAccessLogs = [
  { category: 'StorageRead', enabled: true }
  { category: 'StorageWrite', enabled: true }
  { category: 'StorageDelete', enabled: true }
]

resource blobAccessLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: blobService
  properties: {
    workspaceId: logs.id
    logs: storageAccessLogs
  }
}

resource queueAccessLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: queueService
  properties: {
    workspaceId: logs.id
    logs: storageAccessLogs
  }
}

resource tableAccessLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: tableService
  properties: {
    workspaceId: logs.id
    logs: storageAccessLogs
  }
}

resource vaultAccessLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: vault
  properties: {
    workspaceId: logs.id
    logs: [{ category: 'AuditEvent', enabled: true }]
  }
}

// Secrets: the link signing keys and the SMTP password. RBAC authorization; the app's identity reads secrets, the
// operator may set them (key rotation: docs/deploy.md).
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${prefix}-kv-${take(suffix, 8)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: networkRestricted ? 'Deny' : 'Allow'
      ipRules: [for r in (networkRestricted ? allowedIpRanges : []): { value: r }]
      virtualNetworkRules: networkRestricted ? [{ id: virtualNetworkSubnetId }] : []
    }
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
  name: '${prefix}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-ai'
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
  name: '${prefix}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${prefix}-app-${take(suffix, 6)}'
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {}, '${deployIdentity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Optional: outbound traffic through the given subnet (storage and Key Vault then accept only it).
    virtualNetworkSubnetId: networkRestricted ? virtualNetworkSubnetId : null
    // Key Vault references are resolved with the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deployIdentity.id
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
      // Optional: the deployment (scm) endpoint answers only the operators' addresses. The app's own endpoint stays
      // public: raters open their links from anywhere.
      scmIpSecurityRestrictionsUseMain: false
      scmIpSecurityRestrictionsDefaultAction: empty(allowedIpRanges) ? 'Allow' : 'Deny'
      scmIpSecurityRestrictions: [for (r, i) in allowedIpRanges: { name: 'operator-${i}', ipAddress: r, action: 'Allow', priority: 100 + i }]
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
        // Reminders: a run decides due forms for 20 s, then hands the rest to a continuation (queue reminders).
        { name: 'AlliancePipeline__Reminders__RunSeconds', value: '20' }
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
  dependsOn: [tableRoles, queueRoles, containerRoles, hostContainerRoles, packageRole, vaultReader]
}

// No FTP and no basic-auth (user name and password) publishing: deployments authenticate with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output functionAppName string = app.name
output storageAccountName string = storage.name
output keyVaultName string = vault.name
output questionnaireBaseUrl string = 'https://${app.properties.defaultHostName}/api/q/'
