using AlliancePipeline.Core.Links;
using FsCheck.Xunit;

namespace AlliancePipeline.Core.Tests.Links;

/// <summary>Properties of link tokens over generated ids, versions, expiries, edits and inputs.</summary>
public class LinkTokenProperties
{
    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:-";

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly LinkSigningKeys Keys = new(new LinkSigningKey("k2026", Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()), []);
    private static readonly LinkTokens Tokens = new(Keys, LinkTokenKind.Questionnaire);
    private static readonly LinkTokens Pauses = new(Keys, LinkTokenKind.Pause);

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    /// <summary>Maps any text onto a valid assessment id (1–128 characters of the id alphabet).</summary>
    private static string IdFrom(string? text) =>
        string.IsNullOrEmpty(text) ? "a" : new string([.. text.Take(LinkTokens.MaxAssessmentIdLength).Select(c => IdAlphabet[c % IdAlphabet.Length])]);

    [Property(MaxTest = 300)]
    public bool Any_issued_token_verifies_to_what_it_was_issued_for_and_only_as_its_kind(string? text, int version, uint secondsAhead)
    {
        var id = IdFrom(text);
        var linkVersion = version & int.MaxValue;
        var expiresAt = Now.AddSeconds(1 + (secondsAhead % (20 * 365 * 86400u)));
        var token = Tokens.Issue(id, linkVersion, expiresAt);
        return Tokens.Verify(token, Now) == new LinkVerification.Valid(id, linkVersion, expiresAt, "k2026")
            && Pauses.Verify(token, Now) is LinkVerification.BadSignature
            && token.Length == 235; // 176 bytes whatever the id: 2 + 5 (key id) + 12 + 141 + 16
    }

    /// <summary>Any one character replaced by any other (of the alphabet or not), removed or inserted: refused.</summary>
    [Property(MaxTest = 2000)]
    public bool Any_single_character_edit_is_refused(string? text, int position, char replacement, int edit)
    {
        var token = Tokens.Issue(IdFrom(text), 1, Now.AddDays(14));
        var at = Mod(position, token.Length);
        var c = Mod(edit, 3) == 0 ? replacement : TokenAlphabet[Mod(replacement, TokenAlphabet.Length)];
        if (c == token[at]) c = c == 'A' ? 'B' : 'A';
        var changed = Mod(edit, 3) == 2 ? token.Remove(at, 1) : string.Concat(token.AsSpan(0, at), c.ToString(), token.AsSpan(at + 1));
        return changed != token && Tokens.Verify(changed, Now) is not LinkVerification.Valid
            && Tokens.Verify(token.Insert(at, c.ToString()), Now) is not LinkVerification.Valid;
    }

    /// <summary>Any text at all: an answer, never an exception, and never valid.</summary>
    [Property(MaxTest = 2000)]
    public bool Any_text_gets_an_answer_and_is_never_valid(string? text) =>
        Tokens.Verify(text, Now) is not LinkVerification.Valid && Pauses.Verify(text, Now) is not LinkVerification.Valid;

    /// <summary>Any bytes behind a good header and of the right length reach the cipher, which refuses them.</summary>
    [Property(MaxTest = 500)]
    public bool Any_bytes_under_a_good_header_are_refused_by_the_cipher(byte[]? body)
    {
        var bytes = new byte[2 + 5 + 12 + 141 + 16];
        "\u0002\u0005k2026"u8.CopyTo(bytes);
        (body ?? []).AsSpan(0, Math.Min(body?.Length ?? 0, bytes.Length - 7)).CopyTo(bytes.AsSpan(7));
        var token = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Tokens.Verify(token, Now) is LinkVerification.BadSignature;
    }
}
