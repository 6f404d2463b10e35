using AlliancePipeline.Functions.Invitations;

namespace AlliancePipeline.Functions.Mail;

/// <summary>Registers the mail machinery: outbox, templates, links, the SMTP mailer and the sender behind <c>SendEmail</c>.</summary>
public static class MailRegistration
{
    /// <summary>Adds <see cref="Outbox"/>, <see cref="MailTemplates"/>, <see cref="MailLinks"/>, <see cref="PauseLinks"/>, <see cref="SmtpMailer"/> as <see cref="IMailer"/> (on the <see cref="Infrastructure.Settings.SmtpServer"/> the settings register), <see cref="MailSender"/> and <see cref="ReminderPauseService"/>.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddSingleton<IMailer, SmtpMailer>();
        services.AddSingleton(MailTemplates.Shared);
        services.AddSingleton<MailLinks>();
        services.AddSingleton<PauseLinks>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<MailSender>();
        services.AddSingleton<ReminderPauseService>();
        return services;
    }
}
