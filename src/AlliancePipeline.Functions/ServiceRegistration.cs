using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Clock;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Pages;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions;

/// <summary>Registers the storage clients and the services the functions hand off to.</summary>
public static class ServiceRegistration
{
    /// <summary>
    /// Adds the app's settings (<see cref="SettingsRegistration.AddAppSettings"/>: each section bound, checked, validated
    /// at start), the official Azure SDK clients, registered once through Microsoft.Extensions.Azure from the validated
    /// <see cref="StorageConnection"/> (<c>AzureWebJobsStorage</c>: a connection string, or the service URIs with a managed
    /// identity), and the app's services. Queue clients encode messages in base64, as the queue trigger expects by default
    /// (host.json <c>extensions.queues.messageEncoding</c>). Retries are short (3 tries, 0.5 s doubling to 4 s): a rater
    /// waits a few seconds at most before a 503, and queue work is retried by the host anyway.
    /// </summary>
    public static IServiceCollection AddAlliancePipeline(this IServiceCollection services)
    {
        services.AddAppSettings();
        services.AddAzureClients(clients =>
        {
            clients.ConfigureDefaults(options =>
            {
                options.Retry.Mode = Azure.Core.RetryMode.Exponential;
                options.Retry.MaxRetries = 3;
                options.Retry.Delay = TimeSpan.FromSeconds(0.5);
                options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
                options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
            });
            // Writes to Assessments through this client keep AssessmentViews (the dashboard's per-site rows, the reminder index).
            clients.AddClient<TableServiceClient, TableClientOptions>((options, sp) => AssessmentWriteWatch.Client(options, sp.GetRequiredService<StorageConnection>().TableClient,
                problem => sp.GetRequiredService<ILoggerFactory>().CreateLogger<AssessmentWriteWatch>().LogWarning("{Problem}; readers take them from Assessments until synced.", problem)));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, sp) => sp.GetRequiredService<StorageConnection>().QueueClient(options))
                .ConfigureOptions(UseTriggerEncoding);
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, sp) => sp.GetRequiredService<StorageConnection>().BlobClient(options));
        });
        // The clock: the system's, or (AlliancePipeline:Clock:Adjustable) the system's moved by the offset SetClock sets.
        services.AddSingleton(_ => new AdjustableClock(TimeProvider.System));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<IOptions<ClockOptions>>().Value.IsAdjustable ? sp.GetRequiredService<AdjustableClock>() : TimeProvider.System);
        services.AddSingleton<ILinkTokens, CoreLinkTokens>();
        services.AddSingleton(InstrumentCatalog.Shipped);
        services.AddSingleton<IResponseScorer, InstrumentResponseScorer>();
        services.AddSingleton<IReportBuilder>(new StudyReportBuilder());
        services.AddSingleton<StudyTables>();
        services.AddSingleton<AssessmentViews>();
        services.AddSingleton<QuestionnaireService>();
        services.AddSingleton<ResponseProcessor>();
        services.AddSingleton<ResponseImport>();
        services.AddSingleton<ReportSource>();
        services.AddSingleton<ReportWriter>();
        services.AddSingleton<ExportReader>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<StorageBootstrapper>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<StudyStore>();
        services.AddSingleton<StudyApplier>();
        services.AddSingleton<StudyAdminService>();
        services.AddSingleton<DyadOperations>();
        services.AddSingleton<CovariateOperations>();
        services.AddSingleton<StudyMailings>();
        services.AddSingleton<AlertMail>();
        services.AddSingleton<RuptureAlerts>();
        services.AddSingleton<ReportMailings>();
        services.AddSingleton<ReportAccess>();
        services.AddAccessAndDashboard();
        services.AddSingleton<PoisonQueue>();
        services.AddMail();
        services.AddPages();
        return services;
    }

    private static void UseTriggerEncoding(QueueClientOptions options) => options.MessageEncoding = QueueMessageEncoding.Base64;
}
