using System.Globalization;
using System.Text;
using AlliancePipeline.Contracts.Api;

namespace AlliancePipeline.Cli.Commands;

/// <summary><c>alliance dyads show</c>'s table: a line about the dyad, then one row per form, columns aligned. Dates UTC.</summary>
public static class DyadScheduleTable
{
    private static readonly string[] Header = ["meeting", "date", "role", "rater", "status", "invited", "due", "reminders", "link", "expires", "answered"];

    /// <summary>The schedule as text.</summary>
    public static string Format(DyadSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Dyad {schedule.DyadId} of study {schedule.StudyId}, site {schedule.SiteId}");
        if (schedule.Arm is { Length: > 0 } arm) text.Append(CultureInfo.InvariantCulture, $", arm {arm}");
        if (schedule.EnrolledOn is { } enrolled) text.Append(CultureInfo.InvariantCulture, $", enrolled {Date(enrolled)}");
        text.Append(schedule.Withdrawn ? $"; WITHDRAWN{(schedule.WithdrawnAt is { } at ? " " + Date(DateOnly.FromDateTime(at.UtcDateTime)) : "")}" : "").AppendLine(". Dates are UTC.");
        var rows = new List<string[]> { Header };
        foreach (var m in schedule.Meetings)
        {
            var date = m.Date is { } d ? Date(d) + (m.DateRecorded ? " recorded" : " planned") : "-";
            foreach (var f in m.Forms)
            {
                var status = f.Overdue ? "overdue" : f.Status;
                var reminders = f.RemindersSent.ToString(CultureInfo.InvariantCulture) + (f.RemindersPaused ? " paused" : "");
                rows.Add([m.Meeting.ToString(CultureInfo.InvariantCulture), date, f.RaterRole, f.RaterId, status,
                    f.InvitationSentAt is { } sent ? Date(DateOnly.FromDateTime(sent.UtcDateTime)) : f.HandedOver ? "handed over" : "-",
                    Date(f.DueOn), reminders, "v" + f.LinkVersion.ToString(CultureInfo.InvariantCulture),
                    f.LinkExpiresAt is { } expires ? Date(DateOnly.FromDateTime(expires.UtcDateTime)) : "-",
                    f.AnsweredAt is { } answered ? Date(DateOnly.FromDateTime(answered.UtcDateTime)) : "-"]);
            }
        }
        if (rows.Count == 1) return text.AppendLine("No forms planned.").ToString().TrimEnd();
        var widths = Enumerable.Range(0, Header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        return text.ToString().TrimEnd();
    }

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
