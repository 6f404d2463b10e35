using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlliancePipeline.Contracts.Storage;

namespace AlliancePipeline.Infra.Tests;

/// <summary>
/// The deployment's hardening (security review, finding 13), asserted on what the Bicep CLI makes of
/// <c>infra/main.bicep</c>: the compiled ARM template (<c>bicep build</c>) and, where a property depends on the
/// parameters, the template evaluated offline with <c>infra/main.bicepparam</c> (<c>bicep snapshot</c>, which evaluates
/// variables, loops and <c>fail()</c> as Azure Resource Manager would, without Azure). And the docs kept in step:
/// every parameter and every environment variable is described in <c>docs/deploy.md</c>.
/// </summary>
public sealed class DeploymentHardeningTests
{
    // Built-in role definition ids.
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    private const string Containers = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string Queues = "Microsoft.Storage/storageAccounts/queueServices/queues";
    private const string Tables = "Microsoft.Storage/storageAccounts/tableServices/tables";

    private static readonly Lazy<Task<JsonNode>> Arm = new(BicepTests.ArmAsync);

    private static string Docs => File.ReadAllText(Path.Combine(BicepTests.RepositoryRoot(), "docs", "deploy.md"));

    private static string Value(JsonNode? node) => node!.GetValue<string>();

    /// <summary>The last name in a compiled resource name such as <c>[format('{0}/{1}', …, 'ftp')]</c>.</summary>
    private static string LastName(JsonObject resource) => Value(resource["name"]).Split('\'')[^2];

    [Fact]
    public async Task Storage_and_Key_Vault_send_their_access_logs_to_the_Log_Analytics_workspace()
    {
        var arm = await Arm.Value;
        var settings = BicepTests.Resources(arm, "Microsoft.Insights/diagnosticSettings").ToList();
        var byScope = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var s in settings)
        {
            var scope = Regex.Match(Value(s["scope"]), @"^\[resourceId\('([^']+)'").Groups[1].Value;
            byScope.Add(scope, s);
            Assert.Contains("Microsoft.OperationalInsights/workspaces", Value(s["properties"]!["workspaceId"]), StringComparison.Ordinal);
        }

        string[] storageCategories = ["StorageRead", "StorageWrite", "StorageDelete"];
        foreach (var service in new[] { "blobServices", "queueServices", "tableServices" })
        {
            var logs = Logs(arm, byScope[$"Microsoft.Storage/storageAccounts/{service}"]);
            Assert.All(storageCategories, c => Assert.True(logs.Contains(c), $"{service}: {c} is not sent to Log Analytics"));
        }
        Assert.Contains("AuditEvent", Logs(arm, byScope["Microsoft.KeyVault/vaults"]));
    }

    /// <summary>The enabled log categories of a diagnostic setting (inline, or a variable of the template).</summary>
    private static HashSet<string> Logs(JsonNode arm, JsonObject setting)
    {
        var logs = setting["properties"]!["logs"]!;
        if (logs is JsonValue v && Regex.Match(v.GetValue<string>(), @"^\[variables\('(\w+)'\)\]$") is { Success: true } m)
            logs = arm["variables"]![m.Groups[1].Value]!;
        return logs.AsArray().Where(l => l!["enabled"]!.GetValue<bool>())
            .Select(l => Value(l!["category"] ?? l["categoryGroup"])).ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Report_blobs_are_soft_deleted_and_versioned_and_old_versions_expire()
    {
        var arm = await Arm.Value;
        var blob = BicepTests.Resources(arm, "Microsoft.Storage/storageAccounts/blobServices").Single()["properties"]!;
        Assert.True(blob["isVersioningEnabled"]!.GetValue<bool>());
        Assert.True(blob["deleteRetentionPolicy"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("[parameters('blobRetentionDays')]", Value(blob["deleteRetentionPolicy"]!["days"]));
        Assert.True(blob["containerDeleteRetentionPolicy"]!["enabled"]!.GetValue<bool>());
        var days = arm["parameters"]!["blobRetentionDays"]!;
        Assert.True(days["minValue"]!.GetValue<int>() >= 1);
        Assert.True(days["defaultValue"]!.GetValue<int>() >= 7);

        // The report containers are containers of that blob service: versioning and soft delete cover them.
        var containers = BicepTests.Resources(arm, Containers).Select(c => Value(c["name"])).ToList();
        Assert.Contains(containers, c => c.Contains("variables('containerNames')", StringComparison.Ordinal));
        Assert.Contains(StorageNames.ReportsContainer, BicepTests.Variable(arm, "containerNames").Select(Value));

        // Versions do not pile up for ever.
        var rule = BicepTests.Resources(arm, "Microsoft.Storage/storageAccounts/managementPolicies").Single()["properties"]!["policy"]!["rules"]!.AsArray().Single()!;
        Assert.True(rule["enabled"]!.GetValue<bool>());
        Assert.Equal("[parameters('blobRetentionDays')]", Value(rule["definition"]!["actions"]!["version"]!["delete"]!["daysAfterCreationGreaterThan"]));
    }

    private sealed record Grant(string Principal, string Role, string ScopeType, string ScopeName);

    /// <summary>
    /// Every role assignment of the compiled template: who (the app's identity <c>{prefix}-id</c>, the deployment's
    /// <c>{prefix}-deploy-id</c>, or the operator), which role (its id) and on what (resource type and name), loops
    /// expanded over the template's name lists.
    /// </summary>
    private static List<Grant> Grants(JsonNode arm)
    {
        var roles = arm["variables"]!["roles"]!.AsObject().ToDictionary(r => r.Key, r => Value(r.Value), StringComparer.Ordinal);
        var grants = new List<Grant>();
        foreach (var assignment in BicepTests.Resources(arm, "Microsoft.Authorization/roleAssignments"))
        {
            var principalId = Value(assignment["properties"]!["principalId"]);
            var principal = principalId.Contains("'{0}-deploy-id'", StringComparison.Ordinal) ? "deploy"
                : principalId.Contains("'{0}-id'", StringComparison.Ordinal) ? "app"
                : principalId.Contains("parameters('operatorPrincipalId')", StringComparison.Ordinal) ? "operator"
                : principalId;
            var roleIds = Regex.Matches(Value(assignment["properties"]!["roleDefinitionId"]), @"variables\('roles'\)\.(\w+)")
                .Select(m => roles[m.Groups[1].Value]).ToList();
            Assert.NotEmpty(roleIds);

            var scope = Value(assignment["scope"]);
            var type = Regex.Match(scope, @"^\[resourceId\('([^']+)'").Groups[1].Value;
            List<string> names;
            if (Regex.Match(scope, @"variables\('(\w+)'\)\[copyIndex\(\)\]\)\]$") is { Success: true } loop)
                names = BicepTests.Variable(arm, loop.Groups[1].Value).Select(Value).ToList();
            else if (Regex.Match(scope, @"variables\('\w+'\)\[indexOf\(variables\('\w+'\), '([^']+)'\)\]\)\]$") is { Success: true } pick)
                names = [pick.Groups[1].Value];
            else if (type != "Microsoft.Storage/storageAccounts" && Regex.Match(scope, @"variables\('(\w+)'\)\)\]$") is { Success: true } one)
                names = [Value(arm["variables"]![one.Groups[1].Value])];
            else if (Regex.Match(scope, @"'([^']+)'\)\]$") is { Success: true } literal)
                names = [literal.Groups[1].Value];
            else
                names = [""];
            grants.AddRange(from role in roleIds from name in names select new Grant(principal, role, type, name));
        }
        return grants;
    }

    [Fact]
    public async Task The_app_identity_has_data_rights_only_on_its_own_tables_queues_and_containers()
    {
        var grants = Grants(await Arm.Value);
        var app = grants.Where(g => g.Principal == "app").ToList();
        var storage = app.Where(g => g.ScopeType.StartsWith("Microsoft.Storage/", StringComparison.Ordinal)).ToList();

        // Nothing account-wide, no Owner (which manages ACLs), nothing on the deployment package.
        Assert.DoesNotContain(storage, g => g.ScopeType == "Microsoft.Storage/storageAccounts");
        Assert.DoesNotContain(grants, g => g.Role == BlobDataOwner);
        Assert.DoesNotContain(app, g => g.ScopeName == "app-package");

        // Read and write on each of its tables and queues (the poison twins too) and on its containers and the
        // Functions host's (timer locks, host keys); nothing else of the storage account.
        var expected = StorageNames.Tables.Select(t => new Grant("app", TableDataContributor, Tables, t))
            .Concat(StorageNames.Queues.SelectMany(q => new[] { q, StorageNames.Poison(q) }).Select(q => new Grant("app", QueueDataContributor, Queues, q)))
            .Concat(StorageNames.Containers.Concat(["azure-webjobs-hosts", "azure-webjobs-secrets"]).Select(c => new Grant("app", BlobDataContributor, Containers, c)))
            .ToHashSet();
        Assert.Equal(expected.OrderBy(g => g.ToString(), StringComparer.Ordinal), storage.OrderBy(g => g.ToString(), StringComparer.Ordinal));
    }

    [Fact]
    public async Task Only_the_deployment_identity_writes_the_deployment_package()
    {
        var arm = await Arm.Value;
        var grants = Grants(arm);
        var package = Value(arm["variables"]!["deploymentContainer"]);
        Assert.Equal([new Grant("deploy", BlobDataContributor, Containers, package)], grants.Where(g => g.Principal == "deploy"));
        Assert.Equal(["deploy"], grants.Where(g => g.ScopeName == package).Select(g => g.Principal));

        // Flex Consumption writes (every deploy) and reads (every start) the package with the identity named in
        // functionAppConfig.deployment; the app's own identity is the one its code, its triggers and Key Vault use.
        var app = BicepTests.FunctionApp(arm)["properties"]!;
        var deployment = app["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.EndsWith("variables('deploymentContainer'))]", Value(deployment["value"]), StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", Value(deployment["authentication"]!["type"]));
        Assert.Contains("'{0}-deploy-id'", Value(deployment["authentication"]!["userAssignedIdentityResourceId"]), StringComparison.Ordinal);
        Assert.Contains("'{0}-id'", Value(app["keyVaultReferenceIdentity"]), StringComparison.Ordinal);
        var clientId = app["siteConfig"]!["appSettings"]!.AsArray().Single(s => Value(s!["name"]) == "AzureWebJobsStorage__clientId")!["value"];
        Assert.Contains("'{0}-id'", Value(clientId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FTP_and_basic_auth_publishing_are_off()
    {
        var policies = BicepTests.Resources(await Arm.Value, "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .ToDictionary(LastName, p => p["properties"]!["allow"]!.GetValue<bool>(), StringComparer.Ordinal);
        Assert.Equal(new Dictionary<string, bool> { ["ftp"] = false, ["scm"] = false }, policies);
    }

    [Fact]
    public async Task The_operator_may_read_the_container_deploy_md_section_8_downloads()
    {
        var section = Regex.Match(Docs, @"^## 8\..*?(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline).Value;
        var download = Regex.Match(section, @"az storage blob download-batch[^`]*?\s-s\s+(?<container>[a-z0-9-]+)", RegexOptions.Singleline);
        Assert.True(download.Success, "docs/deploy.md §8 no longer downloads a container with az storage blob download-batch");
        Assert.Contains("--auth-mode login", download.Value, StringComparison.Ordinal);
        var container = download.Groups["container"].Value;

        var arm = await Arm.Value;
        var operatorGrants = Grants(arm).Where(g => g.Principal == "operator").ToList();
        Assert.Contains(new Grant("operator", BlobDataReader, Containers, container), operatorGrants);
        // Read only: nothing lets the operator's sign-in write or delete blobs.
        Assert.DoesNotContain(operatorGrants, g => g.Role is BlobDataContributor or BlobDataOwner);
        var reader = BicepTests.Resources(arm, "Microsoft.Authorization/roleAssignments")
            .Single(r => Value(r["properties"]!["roleDefinitionId"]).Contains("blobDataReader", StringComparison.Ordinal));
        Assert.Equal("[parameters('operatorPrincipalType')]", Value(reader["properties"]!["principalType"]));
    }

    /// <summary>
    /// <c>bicep snapshot</c> of a copy of <c>infra/</c> with the given environment: the resources Azure Resource Manager
    /// would deploy, evaluated offline, or the error that stops the deployment.
    /// </summary>
    private static async Task<(int Exit, JsonNode? Snapshot, string Err)> SnapshotAsync(IReadOnlyDictionary<string, string> environment)
    {
        var dir = Directory.CreateTempSubdirectory("alliance-infra-");
        try
        {
            foreach (var file in new[] { "main.bicep", "main.bicepparam" })
                File.Copy(Path.Combine(BicepTests.RepositoryRoot(), "infra", file), Path.Combine(dir.FullName, file));
            var start = new ProcessStartInfo(BicepTests.Bicep, ["snapshot", Path.Combine(dir.FullName, "main.bicepparam"), "--mode", "overwrite"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ALLIANCE_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
            start.Environment["ALLIANCE_LINK_SIGNING_KEYS"] = "k1=" + Convert.ToBase64String(new byte[32]);
            start.Environment["ALLIANCE_SMTP_HOST"] = "smtp.example.org";
            start.Environment["ALLIANCE_SMTP_FROM"] = "Alliance Pipeline <noreply@example.org>";
            foreach (var (key, value) in environment) start.Environment[key] = value;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var snapshotFile = Path.Combine(dir.FullName, "main.snapshot.json");
            var snapshot = process.ExitCode == 0 && File.Exists(snapshotFile) ? JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile)) : null;
            return (process.ExitCode, snapshot, await stdout + await stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static JsonObject Predicted(JsonNode snapshot, string type) =>
        snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).Single(r => Value(r["type"]) == type);

    [Theory]
    [InlineData("alliance", true)]
    [InlineData("ap2026", true)]
    [InlineData("1alliance", false)] // Key Vault and storage names must start with a letter
    [InlineData("Alliance", false)] // storage names are lower-case
    [InlineData("al-liance", false)] // storage names hold letters and digits only
    public async Task The_name_prefix_must_start_with_a_letter_and_hold_only_lower_case_letters_and_digits(string prefix, bool valid)
    {
        var parameter = (await Arm.Value)["parameters"]!["namePrefix"]!;
        Assert.Equal(3, parameter["minLength"]!.GetValue<int>());
        Assert.Equal(11, parameter["maxLength"]!.GetValue<int>()); // {prefix}-kv-{8} fits Key Vault's 24 characters

        var (exit, snapshot, err) = await SnapshotAsync(new Dictionary<string, string> { ["ALLIANCE_NAME_PREFIX"] = prefix });
        if (valid)
        {
            Assert.True(exit == 0, err);
            var identities = snapshot!["predictedResources"]!.AsArray().Where(r => Value(r!["type"]) == "Microsoft.ManagedIdentity/userAssignedIdentities")
                .Select(r => Value(r!["name"])).Order(StringComparer.Ordinal);
            Assert.Equal([$"{prefix}-deploy-id", $"{prefix}-id"], identities);
        }
        else
        {
            Assert.NotEqual(0, exit);
            Assert.Contains("namePrefix must start with a lower-case letter", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Network_restriction_parameters_close_storage_Key_Vault_and_the_deployment_endpoint_to_all_but_the_given_networks()
    {
        const string subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app";
        var (exit, open, err) = await SnapshotAsync(new Dictionary<string, string>());
        Assert.True(exit == 0, err);
        Assert.Equal("Allow", Value(Predicted(open!, "Microsoft.Storage/storageAccounts")["properties"]!["networkAcls"]!["defaultAction"]));
        Assert.Equal("Allow", Value(Predicted(open!, "Microsoft.KeyVault/vaults")["properties"]!["networkAcls"]!["defaultAction"]));
        Assert.Equal("Allow", Value(Predicted(open!, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["scmIpSecurityRestrictionsDefaultAction"]));

        (exit, var closed, err) = await SnapshotAsync(new Dictionary<string, string>
        {
            ["ALLIANCE_SUBNET_ID"] = subnet,
            ["ALLIANCE_ALLOWED_IP_RANGES"] = "203.0.113.7,198.51.100.0/24",
        });
        Assert.True(exit == 0, err);
        string[] ranges = ["203.0.113.7", "198.51.100.0/24"];
        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" })
        {
            var acls = Predicted(closed!, type)["properties"]!["networkAcls"]!;
            Assert.Equal("Deny", Value(acls["defaultAction"]));
            Assert.Equal("AzureServices", Value(acls["bypass"]));
            Assert.Equal(ranges, acls["ipRules"]!.AsArray().Select(r => Value(r!["value"])));
            Assert.Equal([subnet], acls["virtualNetworkRules"]!.AsArray().Select(r => Value(r!["id"])));
        }
        var site = Predicted(closed!, "Microsoft.Web/sites")["properties"]!;
        Assert.Equal(subnet, Value(site["virtualNetworkSubnetId"]));
        Assert.Equal("Deny", Value(site["siteConfig"]!["scmIpSecurityRestrictionsDefaultAction"]));
        Assert.Equal(ranges, site["siteConfig"]!["scmIpSecurityRestrictions"]!.AsArray().Select(r => Value(r!["ipAddress"])));
        // The app's own endpoint stays open: raters open their links from anywhere.
        Assert.Null(site["siteConfig"]!["ipSecurityRestrictions"]);
    }

    [Fact]
    public async Task The_parameters_file_reads_the_operator_principal_type_from_the_environment()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(BicepTests.RepositoryRoot(), "infra", "main.bicepparam"));
        Assert.Matches(@"param operatorPrincipalType = readEnvironmentVariable\('ALLIANCE_OPERATOR_TYPE', 'User'\)", text);

        var (exit, snapshot, err) = await SnapshotAsync(new Dictionary<string, string>
        {
            ["ALLIANCE_OPERATOR_ID"] = "00000000-0000-0000-0000-00000000000a",
            ["ALLIANCE_OPERATOR_TYPE"] = "Group",
        });
        Assert.True(exit == 0, err);
        var operatorTypes = snapshot!["predictedResources"]!.AsArray()
            .Where(r => Value(r!["type"]) == "Microsoft.Authorization/roleAssignments" && Value(r!["properties"]!["principalId"]) == "00000000-0000-0000-0000-00000000000a")
            .Select(r => Value(r!["properties"]!["principalType"])).ToList();
        Assert.NotEmpty(operatorTypes);
        Assert.All(operatorTypes, t => Assert.Equal("Group", t));
    }

    [Fact]
    public async Task Every_parameter_and_environment_variable_is_documented_with_the_redeploy_and_region_warnings()
    {
        var docs = Docs;
        var parameters = (await Arm.Value)["parameters"]!.AsObject().Select(p => p.Key).ToList();
        Assert.All(parameters, p => Assert.True(docs.Contains($"`{p}`", StringComparison.Ordinal), $"docs/deploy.md does not describe the parameter `{p}` of infra/main.bicep"));

        var bicepparam = await File.ReadAllTextAsync(Path.Combine(BicepTests.RepositoryRoot(), "infra", "main.bicepparam"));
        var variables = Regex.Matches(bicepparam, @"readEnvironmentVariable\('(\w+)'").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.All(variables, v => Assert.True(docs.Contains(v, StringComparison.Ordinal), $"docs/deploy.md does not name {v}, which infra/main.bicepparam reads"));
        // Every parameter of the template is set by the parameters file (read from the environment or fixed there).
        Assert.All(parameters.Where(p => p != "location"), p => Assert.Matches($@"(?m)^param {p} = ", bicepparam));

        // A redeploy writes the template's app settings over the app's: anything added by hand is gone.
        Assert.Matches(@"(?is)redeploy.{0,300}replaces.{0,200}app settings.{0,200}added by hand", docs);
        // Where the data lives is the resource group's region.
        Assert.Matches(@"(?is)data residency.{0,400}--location", docs);
    }
}
