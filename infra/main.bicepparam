// Parameters of infra/main.bicep for one deployment. Secrets are read from the environment at deployment time, never
// written here: export them first (docs/deploy.md), then
//   az deployment group create -g <group> -f infra/main.bicep -p infra/main.bicepparam
using 'main.bicep'

param namePrefix = readEnvironmentVariable('ALLIANCE_NAME_PREFIX', 'alliance')
param maximumInstanceCount = 40
param instanceMemoryMB = 2048

// "keyId=BASE64": e.g. k1=$(openssl rand -base64 32). Rotation adds a key before removing the old one.
param linkSigningKeys = readEnvironmentVariable('ALLIANCE_LINK_SIGNING_KEYS')
param linkSigningCurrentKeyId = readEnvironmentVariable('ALLIANCE_LINK_SIGNING_CURRENT_KEY_ID', 'k1')

param smtpHost = readEnvironmentVariable('ALLIANCE_SMTP_HOST')
param smtpPort = int(readEnvironmentVariable('ALLIANCE_SMTP_PORT', '587'))
param smtpSecurity = readEnvironmentVariable('ALLIANCE_SMTP_SECURITY', 'starttls')
param smtpUser = readEnvironmentVariable('ALLIANCE_SMTP_USER', '')
param smtpPassword = readEnvironmentVariable('ALLIANCE_SMTP_PASSWORD', '')
param smtpFrom = readEnvironmentVariable('ALLIANCE_SMTP_FROM')

// Who operates the study: `az ad signed-in-user show --query id -o tsv`, and what kind of principal that is (User, or
// Group / ServicePrincipal when a group or a pipeline's identity operates it).
param operatorPrincipalId = readEnvironmentVariable('ALLIANCE_OPERATOR_ID', '')
param operatorPrincipalType = readEnvironmentVariable('ALLIANCE_OPERATOR_TYPE', 'User')

// Days deleted or overwritten blobs stay restorable.
param blobRetentionDays = int(readEnvironmentVariable('ALLIANCE_BLOB_RETENTION_DAYS', '30'))

// Optional network restriction (docs/deploy.md): the operators' addresses, comma-separated, and the app's subnet.
var allowedIpRangesText = readEnvironmentVariable('ALLIANCE_ALLOWED_IP_RANGES', '')
param allowedIpRanges = empty(allowedIpRangesText) ? [] : split(allowedIpRangesText, ',')
param virtualNetworkSubnetId = readEnvironmentVariable('ALLIANCE_SUBNET_ID', '')
