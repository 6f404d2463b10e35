using System.Globalization;
using System.Text;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Hostile.Tests.Infrastructure;

namespace AlliancePipeline.Hostile.Tests.Generator;

/// <summary>What the generator aims at: the routes, and real ids, links and a key to get past the first checks.</summary>
public sealed record HostileTargets(
    IReadOnlyList<PublicRoute> Routes,
    string Host,
    string AdminKey,
    string GoodAddress,
    string StudyId,
    IReadOnlyList<string> SiteIds,
    IReadOnlyList<string> DyadIds,
    IReadOnlyList<string> AssessmentIds,
    IReadOnlyList<string> QuestionnaireTokens,
    IReadOnlyList<string> PauseTokens);

/// <summary>
/// One generated request and what may come back: the statuses allowed, whether the server itself (before any routing)
/// may refuse it without a body, and, for a declared body over the route's limit, that the 413 must come before the body
/// is sent.
/// </summary>
public sealed record HostileCase(int Index, string Route, string Kind, RawRequest Request, IReadOnlySet<int> Allowed, bool HttpLevel, bool EarlyRefusal);

/// <summary>
/// Makes hostile requests from a seed: the same seed, the same requests. Every case picks a route of
/// <see cref="HostileTargets.Routes"/> (the worker's functions.metadata, so a new route is attacked too) and a way to
/// abuse it: wrong methods, path tricks, bad or tampered tokens, no key or a bad one, hostile route values and bodies
/// behind a good key, malformed JSON, forms, CSV and YAML, wrong content types, absurd headers, huge bodies declared and
/// chunked. Each says which answers are right.
/// </summary>
public sealed class HostileGenerator(HostileTargets targets, int seed)
{
    /// <summary>Routes whose refusals are pages for a browser (problem details when the client asks for JSON).</summary>
    public static readonly IReadOnlySet<string> PageRoutes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Questionnaire", "PauseReminders", "Dashboard", "StudyReports", "CloseAlert", "DyadSchedule", "DyadConsoleAction",
    };

    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

    private readonly Random _random = new(seed);

    /// <summary>The first <paramref name="count"/> cases.</summary>
    public IEnumerable<HostileCase> Cases(int count)
    {
        for (var i = 0; i < count; i++) yield return Next(i);
    }

    private HostileCase Next(int index)
    {
        if (_random.NextDouble() < 0.02) return UnknownPath(index);
        var route = Pick(targets.Routes);
        var tokenRoute = route.Parameters.Contains("token");
        var roll = _random.NextDouble();
        var c = roll switch
        {
            < 0.07 => WrongMethod(index, route),
            < 0.15 => PathTrick(index, route),
            < 0.17 => HugeBody(index, route),
            < 0.24 => Abused(NoKeyOrToken(index, route)),
            _ when tokenRoute => roll switch
            {
                < 0.50 => BadToken(index, route),
                < 0.62 => ValidTokenGet(index, route),
                _ => ValidTokenPost(index, route),
            },
            < 0.36 => NoKeyOrToken(index, route),
            < 0.52 => BadKey(index, route),
            < 0.70 => AdminHostileValues(index, route),
            _ => AdminHostileBody(index, route),
        };
        return c;
    }

    // ---- kinds -------------------------------------------------------------------------------------------------

    private HostileCase UnknownPath(int index)
    {
        string[] paths = ["/api/", "/api/q", "/api/q/", "/api/nothing", "/api/keys/a/b/c", "/api/studies", "/api/studies/x", "/api/manage", "/API", "/",
            "/api/studies/hostile-study/dashboard/extra", "/api/reminders/pause", "/api/q/a/b", "/favicon.ico", "/api/%2e%2e/%2e%2e/etc/passwd"];
        var (method, path) = (Pick(["GET", "POST", "PUT", "DELETE"]), Pick(paths));
        var request = Request(method, path, Address());
        // GET / is the host's home page; every other method there, and every other path here, no function answers.
        return new(index, "(no route)", "unknown path", request, Set(path == "/" && method == "GET" ? 200 : 404), HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase WrongMethod(int index, PublicRoute route)
    {
        // Methods no function serves on this path (GET /api/keys is ListKeys, POST /api/keys IssueKey).
        var served = targets.Routes.Where(r => r.Template == route.Template).SelectMany(r => r.Methods).ToHashSet(StringComparer.Ordinal);
        var others = AllMethods.Where(m => !served.Contains(m)).ToArray();
        var method = Pick(others);
        var request = Request(method, route.Path(RealValues(route)), Address());
        if (method is "POST" or "PUT" or "PATCH") AddBody(request, Encoding.UTF8.GetBytes("{}"), "application/json");
        return new(index, route.Function, "wrong method", request, Set(404), HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase PathTrick(int index, PublicRoute route)
    {
        var values = RealValues(route);
        var parameter = route.Parameters.Count == 0 ? null : Pick(route.Parameters);
        var path = parameter is null ? route.Path(values) : route.Path(new Dictionary<string, string>(values) { [parameter] = Pick(HostileStrings.Encoded) });
        path = _random.Next(6) switch
        {
            0 => path.Replace("/api/", "/api//", StringComparison.Ordinal),
            1 => path + "/",
            2 => path.Replace("/api/", "/api/./", StringComparison.Ordinal),
            3 => path.Replace("/api/", "/Api/", StringComparison.Ordinal),
            4 => path + "/..",
            _ => path,
        };
        var request = Request(Pick(route.Methods), path + RandomQuery(), Address());
        if (_random.Next(2) == 0) AddKey(request, targets.AdminKey, targets.GoodAddress);
        // The path may land on another route (dot segments are resolved by the server), or on none.
        return new(index, route.Function, "path trick", request, Set(200, 400, 401, 403, 404, 409, 410, 413, 415), HttpLevel: true, EarlyRefusal: false);
    }

    private HostileCase HugeBody(int index, PublicRoute route)
    {
        var limit = RequestLimits.MaxBodyBytes(route.Function);
        var method = Pick(route.Methods.Where(m => m != "HEAD").DefaultIfEmpty("POST").ToArray());
        var request = Request(method, route.Path(RealValues(route, tokens: true)), targets.GoodAddress);
        var keyed = !route.Parameters.Contains("token");
        if (keyed && _random.Next(3) > 0) AddKey(request, targets.AdminKey, targets.GoodAddress);
        var contentType = RequestLimits.MediaTypes(route.Function) is { } types ? MediaType(Pick(types)) : "application/octet-stream";
        request.Headers.Add(new("Content-Type", Ascii(contentType)));
        var length = limit + 1 + _random.Next(4 * 1024 * 1024);
        if (_random.Next(2) == 0)
        {
            // Declared: answered 413 before the body is sent.
            var declared = _random.Next(10) == 0 ? 1_000_000_000_000L : length;
            request.Headers.Add(new("Content-Length", Ascii(declared.ToString(CultureInfo.InvariantCulture))));
            request.Body = Blocks(declared, chunked: false);
            request.BodyLength = declared;
            return new(index, route.Function, "huge body, declared", request, Set(413), HttpLevel: false, EarlyRefusal: true);
        }
        request.Headers.Add(new("Transfer-Encoding", Ascii("chunked")));
        request.Body = Blocks(length, chunked: true);
        request.BodyLength = length;
        // Undeclared: read ahead and refused before any work where the limit is small; elsewhere cut at the limit as the
        // function reads it, and a keyed route without a key says so without reading it.
        var refusedFirst = limit <= RequestLimits.ReadAheadBytes || !keyed || request.Header("Authorization") is not null;
        // A decoy route (ids that do not exist) whose limit is above the read-ahead may refuse the ids before it reads the
        // body: 404, nothing read.
        var expected = !refusedFirst ? Set(401)
            : DecoyRoutes.Contains(route.Function) && limit > RequestLimits.ReadAheadBytes ? Set(413, 404) : Set(413);
        return new(index, route.Function, "huge body, chunked", request, expected, HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase NoKeyOrToken(int index, PublicRoute route)
    {
        if (route.Parameters.Contains("token")) return BadToken(index, route);
        var request = Request(Pick(route.Methods), route.Path(RealValues(route)) + RandomQuery(), Address());
        return new(index, route.Function, "no key", request, Set(401), HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase BadKey(int index, PublicRoute route)
    {
        var request = Request(Pick(route.Methods), route.Path(RealValues(route)), Address());
        var key = Pick(HostileStrings.BadKeys(_random)) is { Length: > 0 } k ? k : "x";
        switch (_random.Next(8))
        {
            case 0:
                request.Headers.Add(new("Authorization", Ascii("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + key)))));
                break;
            case 1:
                // Two Authorization lines: the host passes them on joined into one value (as an HTTP client does), which
                // is then not a key (401) rather than two (400); refused either way.
                request.Headers.Add(new("Authorization", Ascii("Bearer " + key)));
                request.Headers.Add(new("Authorization", Ascii("Bearer " + targets.AdminKey)));
                return new(index, route.Function, "key given twice", request, Set(400, 401, 429), HttpLevel: false, EarlyRefusal: false);
            case 2:
                request.Headers.Add(new("Authorization", Ascii("Bearer " + targets.AdminKey)));
                Append(request, "?key=" + Uri.EscapeDataString(key));
                return new(index, route.Function, "key given twice", request, Set(400, 429), HttpLevel: false, EarlyRefusal: false);
            case 3:
                Append(request, "?key=" + Uri.EscapeDataString(key) + "&key=" + Uri.EscapeDataString(targets.AdminKey));
                return new(index, route.Function, "key given twice", request, Set(400, 429), HttpLevel: false, EarlyRefusal: false);
            case 4:
                Append(request, "?key=" + Uri.EscapeDataString(key));
                break;
            case 5:
                request.Headers.Add(new("Authorization", Latin1("Bearer " + key + "\u00e9\u00ff")));
                return new(index, route.Function, "bad key", request, Set(400, 401, 429), HttpLevel: true, EarlyRefusal: false);
            default:
                request.Headers.Add(new("Authorization", Ascii("Bearer " + key.Replace("\u202e", "", StringComparison.Ordinal))));
                break;
        }
        // Guesses from one address are counted: 429 once it has had its ten.
        return new(index, route.Function, "bad key", request, Set(401, 429), HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase BadToken(int index, PublicRoute route)
    {
        var valid = ValidTokens(route);
        var token = valid.Count == 0 ? "x" : Pick(valid);
        var bad = _random.Next(9) switch
        {
            0 => Flip(token),
            1 => token[..Math.Max(1, _random.Next(token.Length))],
            2 => token + new string('A', 100 + _random.Next(5000)),
            3 => Convert.ToBase64String(HostileStrings.RandomBytes(_random, 20 + _random.Next(200))).Replace('+', '-').Replace('/', '_').TrimEnd('='),
            4 => token[..(token.Length / 2)] + Pick(HostileStrings.Encoded) + token[(token.Length / 2)..],
            5 => Pick(HostileStrings.Encoded),
            6 => Pick(HostileStrings.NotTokens),
            7 => token.ToUpperInvariant(),
            _ => Flip(Flip(token)),
        };
        var post = route.Methods.Contains("POST") && _random.Next(2) == 0;
        var request = Request(post ? "POST" : "GET", route.Path(new Dictionary<string, string> { ["token"] = bad }) + RandomQuery(), Address());
        if (post) AddBody(request, Encoding.UTF8.GetBytes(Pick(HostileStrings.Forms)), "application/x-www-form-urlencoded");
        MaybeWantJson(request);
        // A token with a NUL or a bad escape in it may be refused by the server before routing (400); a body over the
        // route's limit is refused before the token is read (413).
        return new(index, route.Function, "bad token", request, post ? Set(400, 404, 413) : Set(400, 404), HttpLevel: true, EarlyRefusal: false);
    }

    private HostileCase ValidTokenGet(int index, PublicRoute route)
    {
        var valid = ValidTokens(route);
        if (valid.Count == 0) return BadToken(index, route);
        string[] queries = ["", "?lang=%3cscript%3e", "?lang=%00", "?lang=" + new string('x', 3000), "?lang=fr&lang=en", "?done=1", "?done=%ed%a0%80",
            "?lang=%e2%80%ae", "?lang=zz-ZZ-x-" + new string('a', 70), "?" + string.Join('&', Enumerable.Range(0, 400).Select(i => $"p{i}=1"))];
        var request = Request("GET", route.Path(new Dictionary<string, string> { ["token"] = Pick(valid) }) + Pick(queries), Address());
        string[] languages = ["", "*", "fr-CA;q=0.9, en;q=0.1", "<script>", "x-" + new string('y', 500), ";;;,,,", "\u00e9"];
        if (_random.Next(2) == 0) request.Headers.Add(new("Accept-Language", Latin1(Pick(languages))));
        MaybeWantJson(request);
        return new(index, route.Function, "valid link, odd query or headers", request, Set(200, 400, 409), HttpLevel: true, EarlyRefusal: false);
    }

    private HostileCase ValidTokenPost(int index, PublicRoute route)
    {
        var valid = ValidTokens(route);
        if (valid.Count == 0 || !route.Methods.Contains("POST")) return BadToken(index, route);
        var request = Request("POST", route.Path(new Dictionary<string, string> { ["token"] = Pick(valid) }), Address());
        var pause = route.Function == "PauseReminders";
        switch (_random.Next(4))
        {
            case 0:
                AddBody(request, Pick(HostileStrings.Json), Pick(["application/json", "application/problem+json", "application/json; charset=utf-8"]));
                break;
            case 1:
                AddBody(request, Pick(HostileStrings.Json), Pick(HostileStrings.WrongContentTypes));
                return new(index, route.Function, "valid link, wrong content type", request, pause ? Set(200, 413) : Set(400, 409, 413, 415), HttpLevel: false, EarlyRefusal: false);
            case 2:
                AddBody(request, Encoding.UTF8.GetBytes(Pick(HostileStrings.Forms)), _random.Next(4) == 0 ? null : "application/x-www-form-urlencoded");
                break;
            default:
                AddBody(request, Encoding.UTF8.GetBytes(Pick(HostileStrings.Forms)), "application/x-www-form-urlencoded", chunked: true);
                break;
        }
        MaybeWantJson(request);
        // The pause link reads no body: a small one changes nothing about the answer.
        return new(index, route.Function, "valid link, malformed body", request, pause ? Set(200, 413) : Set(400, 409, 413, 415), HttpLevel: false, EarlyRefusal: false);
    }

    private HostileCase AdminHostileValues(int index, PublicRoute route)
    {
        var values = new Dictionary<string, string>(RealValues(route));
        foreach (var parameter in route.Parameters.Where(_ => _random.Next(3) > 0).DefaultIfEmpty(route.Parameters.FirstOrDefault()).OfType<string>())
            values[parameter] = Pick(HostileStrings.Encoded);
        var method = Pick(route.Methods);
        var query = _random.Next(2) == 0 ? RandomQuery() : "?" + Pick(["site", "format", "studyId", "dryRun", "closed"]) + "=" + Pick(HostileStrings.Encoded);
        var request = Request(method, route.Path(values) + query, targets.GoodAddress);
        AddKey(request, targets.AdminKey, null);
        if (method is "POST" or "PUT") AddBody(request, Pick(HostileStrings.Json), "application/json");
        var allowed = method == "GET" ? Set(200, 400, 403, 404) : Set(400, 403, 404, 409, 410, 413, 415);
        return new(index, route.Function, "good key, hostile route values", request, allowed, HttpLevel: true, EarlyRefusal: false);
    }

    private HostileCase AdminHostileBody(int index, PublicRoute route)
    {
        var method = Pick(route.Methods);
        if (method is not ("POST" or "PUT")) return AdminHostileValues(index, route);
        var values = RealValues(route);
        var request = Request(method, route.Path(values) + (_random.Next(4) == 0 ? "?dryRun=true" : ""), targets.GoodAddress);
        AddKey(request, targets.AdminKey, null);
        var types = RequestLimits.MediaTypes(route.Function);
        byte[] body = route.Function switch
        {
            "ApplyStudy" => Encoding.UTF8.GetBytes(Pick(HostileStrings.StudyFiles)),
            "ImportMeetingDates" or "ImportOutcomes" or "ImportResponses" => Encoding.UTF8.GetBytes(Pick(HostileStrings.Csv)),
            _ => Pick(HostileStrings.Json),
        };
        var wrongType = types is not null && _random.Next(5) == 0;
        var contentType = wrongType ? Pick(HostileStrings.WrongContentTypes) : types is null ? null : MediaType(Pick(types));
        AddBody(request, body, contentType, chunked: _random.Next(5) == 0);
        var allowed = route.Function switch
        {
            // These take no body: a small one is ignored, and the route's own answer comes.
            "CloseAlert" or "ReissueLink" or "WithdrawDyad" or "ReclusterStudy" or "DyadConsoleAction" => Set(200, 303, 400, 404, 409, 413, 415),
            _ => Set(400, 404, 409, 413, 415),
        };
        return new(index, route.Function, wrongType ? "good key, wrong content type" : "good key, malformed body", request, allowed, HttpLevel: false, EarlyRefusal: false);
    }

    /// <summary>The same case with absurd headers added: a huge Authorization, thousands of cookies, too many headers, bytes that are not text.</summary>
    private HostileCase Abused(HostileCase c)
    {
        var request = c.Request;
        switch (_random.Next(7))
        {
            case 0:
                request.Headers.Add(new("Authorization", Ascii("Bearer " + new string('k', 8_000 + _random.Next(40_000)))));
                break;
            case 1:
                request.Headers.Add(new("Cookie", Ascii(string.Join("; ", Enumerable.Range(0, 200 + _random.Next(5000)).Select(i => $"c{i}=v{i}")))));
                break;
            case 2:
                for (var i = 0; i < 60 + _random.Next(120); i++) request.Headers.Add(new($"X-Hostile-{i}", Ascii("1")));
                break;
            case 3:
                request.Headers.Add(new("X-Hostile", [0x00, 0x01, 0xC0, 0xAF, 0xFF]));
                break;
            case 4:
                request.Headers.Add(new("X-Forwarded-For", Ascii(string.Join(", ", Enumerable.Range(0, 300).Select(i => $"not-an-address-{i}")))));
                break;
            case 5:
                request.Headers.Add(new("Accept", Ascii(string.Join(", ", Enumerable.Range(0, 500).Select(i => $"application/x-{i}+json;q=0.{i % 10}")))));
                break;
            default:
                request.Headers.Add(new("Content-Length", Ascii("0")));
                request.Headers.Add(new("Content-Length", Ascii("5")));
                break;
        }
        return c with { Kind = c.Kind + " + absurd headers", Allowed = new HashSet<int>(c.Allowed) { 400, 401, 414, 429, 431 }, HttpLevel = true };
    }

    // ---- pieces ------------------------------------------------------------------------------------------------

    private RawRequest Request(string method, string target, string? address)
    {
        var request = new RawRequest { Method = method, Target = Encoding.ASCII.GetBytes(target) };
        request.Headers.Add(new("Host", Ascii(targets.Host)));
        if (address is not null) request.Headers.Add(new("X-Forwarded-For", Ascii(address)));
        return request;
    }

    private static void AddKey(RawRequest request, string key, string? address)
    {
        request.Headers.Add(new("Authorization", Ascii("Bearer " + key)));
        if (address is not null && request.Header("X-Forwarded-For") is null) request.Headers.Add(new("X-Forwarded-For", Ascii(address)));
    }

    private void AddBody(RawRequest request, byte[] body, string? contentType, bool chunked = false)
    {
        if (contentType is not null) request.Headers.Add(new("Content-Type", Latin1(contentType)));
        if (chunked)
        {
            request.Headers.Add(new("Transfer-Encoding", Ascii("chunked")));
            var framed = new MemoryStream();
            foreach (var part in body.Chunk(Math.Max(1, 1 + _random.Next(Math.Max(1, body.Length)))))
            {
                framed.Write(Encoding.ASCII.GetBytes(part.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                framed.Write(part);
                framed.Write("\r\n"u8);
            }
            framed.Write("0\r\n\r\n"u8);
            SetBody(request, framed.ToArray(), body.Length);
            return;
        }
        request.Headers.Add(new("Content-Length", Ascii(body.Length.ToString(CultureInfo.InvariantCulture))));
        SetBody(request, body, body.Length);
    }

    private static void SetBody(RawRequest request, byte[] wire, long length)
    {
        request.Body = [wire];
        request.BodyLength = length;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Blocks(long length, bool chunked)
    {
        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)'a');
        var framePrefix = Encoding.ASCII.GetBytes($"{block.Length:x}\r\n");
        for (long sent = 0; sent < length; sent += block.Length)
        {
            var size = (int)Math.Min(block.Length, length - sent);
            if (chunked) yield return size == block.Length ? framePrefix : Encoding.ASCII.GetBytes($"{size:x}\r\n");
            yield return block.AsMemory(0, size);
            if (chunked) yield return "\r\n"u8.ToArray();
        }
        if (chunked) yield return "0\r\n\r\n"u8.ToArray();
    }

    private void MaybeWantJson(RawRequest request)
    {
        if (_random.Next(3) == 0) request.Headers.Add(new("Accept", Ascii(Pick(["application/json", "application/problem+json", "text/html", "*/*", "application/json, text/html"]))));
    }

    /// <summary>Routes that change what other tests rely on (withdraw a dyad, reissue a link, run a report): given ids that do not exist.</summary>
    private static readonly HashSet<string> DecoyRoutes = new(StringComparer.Ordinal) { "WithdrawDyad", "ReissueLink", "ReclusterStudy", "DyadConsoleAction" };

    private IReadOnlyDictionary<string, string> RealValues(PublicRoute route, bool tokens = false)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var decoy = DecoyRoutes.Contains(route.Function);
        foreach (var p in route.Parameters)
        {
            values[p] = p switch
            {
                "studyId" when decoy => Pick(["no-such-study", targets.StudyId]),
                "dyadId" or "assessmentId" when decoy => "d-zz" + _random.Next(100).ToString(CultureInfo.InvariantCulture),
                "token" when tokens && ValidTokens(route).Count > 0 => Pick(ValidTokens(route)),
                "token" => "x",
                "studyId" => targets.StudyId,
                "dyadId" => Pick(targets.DyadIds),
                "assessmentId" => Pick(targets.AssessmentIds),
                "meeting" => "1",
                "run" => "latest",
                "file" => Pick(["report.html", "responses.csv", "clusters.json"]),
                "keyId" => Convert.ToHexStringLower(HostileStrings.RandomBytes(_random, 8)),
                _ => "x",
            };
        }
        return values;
    }

    private IReadOnlyList<string> ValidTokens(PublicRoute route) => route.Function switch
    {
        "Questionnaire" => targets.QuestionnaireTokens,
        "PauseReminders" => targets.PauseTokens,
        _ => [],
    };

    private string RandomQuery() => _random.Next(3) switch
    {
        0 => "",
        1 => "?" + Pick(["lang", "site", "key", "format", "done", "x"]) + "=" + Pick(HostileStrings.Encoded),
        _ => "?" + Pick(HostileStrings.Encoded) + "=" + Pick(HostileStrings.Encoded) + "&&&=",
    };

    /// <summary>A public address for X-Forwarded-For: guesses spread over many addresses, so the guess limit stays out of the way but for its own tests.</summary>
    private string Address() => string.Create(CultureInfo.InvariantCulture, $"11.{_random.Next(256)}.{_random.Next(256)}.{1 + _random.Next(254)}");

    private string Flip(string token)
    {
        if (token.Length == 0) return "A";
        var chars = token.ToCharArray();
        var i = _random.Next(chars.Length);
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private static void Append(RawRequest request, string query)
    {
        var target = Encoding.ASCII.GetString(request.Target);
        var joined = target.Contains('?', StringComparison.Ordinal) ? target + "&" + query.TrimStart('?') : target + query;
        request.Target = Encoding.ASCII.GetBytes(joined);
    }

    private static string MediaType(string accepted) => accepted.StartsWith('+') ? "application/vnd.test" + accepted : accepted;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static HashSet<int> Set(params int[] statuses) => [.. statuses];

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);
}
