using AlliancePipeline.Functions.Settings;
using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Functions.Services;

/// <summary>Registers the storage clients and the services the functions hand off to.</summary>
public static class ServiceRegistration
{
    /// <summary>Adds storage clients (for <see cref="AppSettings.StorageAccount"/>) and services.</summary>
    public static IServiceCollection AddPipelineServices(this IServiceCollection services, AppSettings settings)
    {
        var account = settings.StorageAccount;
        services.AddSingleton(settings);
        services.AddSingleton(account);
        services.AddSingleton<ITableServiceClient>(_ => new TableServiceClient(account));
        services.AddSingleton<IQueueServiceClient>(_ => new QueueServiceClient(account));
        services.AddSingleton<IBlobServiceClient>(_ => new BlobServiceClient(account));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILinkTokens>(_ => new CoreLinkTokens(settings.SigningKeys));
        services.AddSingleton(Core.Instruments.InstrumentCatalog.Shipped);
        services.AddSingleton<IResponseScorer, InstrumentResponseScorer>();
        services.AddSingleton<IReportBuilder>(new Reports.StudyReportBuilder());
        services.AddSingleton<StudyTables>();
        services.AddSingleton<QuestionnaireService>();
        services.AddSingleton<ResponseProcessor>();
        services.AddSingleton<ReportWriter>();
        services.AddSingleton<StorageBootstrapper>();
        services.AddSingleton<DemoStudySeeder>();
        return services;
    }
}
