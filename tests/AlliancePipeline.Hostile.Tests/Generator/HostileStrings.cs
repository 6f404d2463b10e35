using System.Text;

namespace AlliancePipeline.Hostile.Tests.Generator;

/// <summary>The raw material of hostile requests: odd Unicode, path tricks, malformed JSON, forms, CSV and YAML.</summary>
public static class HostileStrings
{
    /// <summary>Route or query values, percent-encoded as they go in a target: path tricks, odd Unicode, injections.</summary>
    public static readonly string[] Encoded =
    [
        "%00", "a%00b", "..%2f..%2fkeys", "%2e%2e%2f%2e%2e%2fkeys", "%2e%2e", "a%2fb", "%2f", "%5c..%5c", "%c0%af", "%c0%ae%c0%ae%c0%af",
        "%ed%a0%80", "x%ed%b0%80y", "%e2%80%8f", "%e2%80%aeevil", "%ef%bb%bf", "%f0%9f%92%a9", "%ff%fe", "%3cscript%3ealert(1)%3c%2fscript%3e",
        "%22%3e%3cimg%20src%3dx%20onerror%3dalert(1)%3e", "%3dHYPERLINK(%22http%3a%2f%2fevil.example%22)", "%2bcmd", "%40SUM(1%2b1)", "-2%2b3",
        "%25", "%25zz", "%u0041", "%27%20OR%201%3d1%20--", "%24%7bjndi%3aldap%3a%2f%2fx%7d", "%7b%7b7*7%7d%7d", "CON", "x%0d%0aSet-Cookie%3a%20a%3db",
        "%0a", "%20", "%09", "+", ";", ".", "~", "SITE-A", "site-a%20", "site%2Da", "hostile-study%00", "%e3%80%80", "%c2%a0",
        "d-a1%2f..%2fd-b1", "%2fetc%2fpasswd", "a" + new string('b', 600), new string('9', 40), "-1", "0", "2147483648", "1e3", "0x10",
        "%e0%80%80", "%f8%88%80%80%80", "%fc%84%80%80%80%80", "%f4%90%80%80",
    ];

    /// <summary>Garbage that is not a token at all.</summary>
    public static readonly string[] NotTokens = ["x", "a.b.c", "AAAA", "%3d%3d", "-_-_", "null", "undefined", "eyJhbGciOiJub25lIn0.e30.", "%20token"];

    /// <summary>Malformed or hostile JSON texts (as bytes: some are not UTF-8).</summary>
    public static IReadOnlyList<byte[]> Json { get; } = BuildJson();

    /// <summary>Malformed form bodies (application/x-www-form-urlencoded).</summary>
    public static readonly string[] Forms =
    [
        "", "=", "&&&", "item-1", "item-1=", "item-1=5&item-1=6", "item-1=%FF%FE", "item-1=5%00", "item-1=%ED%A0%80", "item-01=5",
        "item-1=99", "item-1=-1", "item-1=1e3", "item-1=4.5", "item-1=%E2%80%8F5", "item-1=%EF%BC%95", "item-1=%D9%A5", "item-13=1",
        "item-1=5&item-2=5&item-3=5&item-4=5&item-5=5&item-6=5&item-7=5&item-8=5&item-9=5&item-10=5&item-11=5",
        "item-1=5&item-2=5&item-3=5&item-4=5&item-5=5&item-6=5&item-7=5&item-8=5&item-9=5&item-10=5&item-11=5&item-12=8",
        "item-1=5&item-2=5&item-3=5&item-4=5&item-5=5&item-6=5&item-7=5&item-8=5&item-9=5&item-10=5&item-11=5&item-12=x",
        "%=%&%%=%%", "a=%", "item-1=5;item-2=5", "item-1[]=5", "__proto__=1", new string('a', 5000) + "=1",
        string.Join('&', Enumerable.Range(0, 1500).Select(i => $"f{i}=1")), "item-1=5&item-1=5&item-1=5&item-1=5",
    ];

    /// <summary>Malformed CSV imports.</summary>
    public static readonly string[] Csv =
    [
        "", "dyad,meeting,date", "dyad,meeting,date\nd-a1,1,2026-13-45", "dyad,meeting,date\nd-a1,abc,2026-01-01", "dyad,employed,date\n\"unclosed,1,2026-01-01",
        "dyad,meeting,date\n=HYPERLINK(\"http://evil.example\"),1,2026-01-01", "dyad,meeting,date\n+cmd,1,2026-01-01", "\0\0\0", "dyad,meeting,date\nd-a1,1,2026-01-01\0",
        "dyad,employed,date\nno-such-dyad,1,2026-01-01", "dyad,employed,date\nd-a1,maybe,2026-01-01", "a,b,c,d,e,f\n1,2,3,4,5,6",
        "dyad,meeting,date\n" + string.Join(',', Enumerable.Range(0, 3000).Select(i => "x")), "\ufeffdyad;meeting;date\nd-a1;1;2026-01-01",
        "dyad,meeting,date\r\nd-a1,1,2026-01-01\r\r\r", "dyad,meeting,date\n\"d-a1\"\"\",1,2026-01-01", "dyad,employed,date\nd-\u202ea1,1,2026-01-01",
    ];

    /// <summary>Malformed study files (YAML or JSON), including an alias bomb and deep nesting.</summary>
    public static readonly string[] StudyFiles =
    [
        "", "   ", "id: [", "id: hostile-study\nname: x\n\tbad: tab", "!!python/object:os.system ls", "%YAML 9.9\n---\nid: x",
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
        "id: hostile-study\nname: &n x\nsites: *n", "id: *undefined", new string('[', 5000) + new string(']', 5000), new string('-', 2000) + " x",
        "{\"id\":\"\\ud800\"}", "{\"id\":\"hostile-study\",\"name\":\"\\udc00\"}", "id: hostile-study\nname: \"\\ud800\"", "id: other-id-than-the-route\nname: x",
        "id: hostile-study\nname: x\nunknown: 1", "? [a, b]\n: c", "id: hostile-study\nname: x\nmeetings: 99999999999999999999", "\u0000id: x",
        "id: hostile-study\nname: x\ndyads:\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"  - id: d-{i}\n    site: nowhere\n")),
    ];

    /// <summary>Content types that no route reads, and malformed ones.</summary>
    public static readonly string[] WrongContentTypes =
    [
        "application/xml", "text/html", "multipart/form-data; boundary=x", "application/octet-stream", "image/png", "]]]", "application/json; charset=utf-16",
        "text/csv; charset=ebcdic", "application/x-www-form-urlencoded; charset=shift_jis", ";", "application/", "*/*", "text/plain; charset=\"\\\"\"",
    ];

    /// <summary>Access keys that are not keys, or guesses of the right shape.</summary>
    public static string[] BadKeys(Random random)
    {
        var id = Convert.ToHexStringLower(RandomBytes(random, 8));
        var secret = Convert.ToBase64String(RandomBytes(random, 32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return
        [
            "", "x", "ak_", "ak__", $"ak_{id}_{secret}", $"ak_{id.ToUpperInvariant()}_{secret}", $"ak_{id}_{secret}=", $"ak_{id}_{secret[..^1]}",
            $"ak_{id}_{secret}x", $"AK_{id}_{secret}", $"ak_{id}_ {secret}", $"ak_{id}_{secret.Replace('-', '+')}", "ak_0000000000000000_" + new string('A', 43),
            "ak_" + new string('f', 16) + "_" + new string('_', 43), new string('a', 2000), "ak_%00", "ak_\u202e", "Bearer", "null",
        ];
    }

    /// <summary>Bytes from <paramref name="random"/>.</summary>
    public static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static List<byte[]> BuildJson()
    {
        var texts = new List<string>
        {
            "", "{", "[", "null", "true", "1", "\"x\"", "{\"\\ud800\":1}", "{\"items\":\"\\udc00\"}", "{\"items\":[\"\\ud800\"]}", "{\"a\":1,\"a\":2}",
            "{\"items\":[1e999]}", "{\"items\":[1,2,3]}", "{\"items\":[9,9,9,9,9,9,9,9,9,9,9,9]}", "{\"items\":[1.5,1,1,1,1,1,1,1,1,1,1,1]}",
            "{\"items\":[null,1,1,1,1,1,1,1,1,1,1,1]}", "{\"items\":[\"5\",5,5,5,5,5,5,5,5,5,5,5]}", "{\"items\":[5,5,5,5,5,5,5,5,5,5,5,5,5]}",
            "{\"items\":[-1,5,5,5,5,5,5,5,5,5,5,5]}", "{\"items\":[2147483648,5,5,5,5,5,5,5,5,5,5,5]}", "{'items':[1]}", "{\"items\":[1,]}",
            "{\"items\":[1]}//", "/* x */{}", "{\"items\":NaN}", "\ufeff{\"items\":[]}", "{\"items\":[5]}\u0000", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            new string('[', 3000) + new string(']', 3000), "{\"employed\":\"yes\"}", "{\"employed\":true,\"date\":\"2026-13-45\"}", "{\"employed\":true,\"date\":123}",
            "{\"date\":\"\\ud800\"}", "{\"date\":\"2026-02-30\"}", "{\"date\":\"\"}", "{\"now\":\"not a date\"}", "{\"now\":5}", "{\"now\":\"9999-12-31T23:59:59Z\"}", "{\"now\":\"0001-01-01T00:00:00+14:00\"}", "{\"now\":\"\\udfff\"}",
            "{\"role\":\"<script>\",\"label\":\"x\"}", "{\"role\":\"admin\",\"label\":\"x\",\"validDays\":0}", "{\"role\":\"admin\",\"label\":\"\\u0000\"}",
            "{\"role\":\"site\",\"studyId\":\"../x\",\"siteId\":\"%00\",\"label\":\"x\"}", "{\"role\":\"admin\",\"label\":\"x\",\"validDays\":99999999999}",
            "{\"role\":\"admin\",\"role\":\"admin\",\"label\":\"x\",\"validDays\":-1}", "{\"\\u0072ole\":\"admin\",\"label\":\"x\",\"validDays\":400}",
            "{\"role\":\"researcher\",\"studyId\":\"no-such-study\",\"label\":\"x\"}", "{\"__proto__\":{}}", "{\"items\":[" + string.Join(',', Enumerable.Repeat("5", 3000)) + "]}",
        };
        var list = texts.Select(Encoding.UTF8.GetBytes).ToList();
        list.Add([0xC0, 0xAF, (byte)'{', (byte)'}']);                               // overlong UTF-8
        list.Add([(byte)'{', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}']); // a surrogate encoded in UTF-8 (CESU)
        list.Add(Encoding.Unicode.GetBytes("{\"items\":[5,5,5,5,5,5,5,5,5,5,5,5]}"));  // UTF-16
        list.Add([0xFF, 0xFE, 0x00, 0x00]);
        return list;
    }
}
