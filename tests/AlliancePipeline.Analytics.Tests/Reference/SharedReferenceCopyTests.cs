using System.Security.Cryptography;

namespace AlliancePipeline.Analytics.Tests.Reference;

/// <summary>
/// The repository's copy of R's reference outputs (<c>tests/reference/shared</c>), which the tests read, against the
/// study's <c>shared/reference</c> wherever the repository sits beside it: the same files, byte for byte.
/// </summary>
public sealed class SharedReferenceCopyTests
{
    private static readonly string[] Expected =
        ["README.md", "fisher.json", "tests.json", "ward_continuous_200x3.json", "ward_integer_ties_120x3.json", "ward_mixture_600x4.json", "ward_paper_like_18x3.json"];

    [Fact]
    public void The_copy_holds_every_reference_file_and_equals_the_shared_folder_where_there_is_one()
    {
        var copy = ReferenceFiles.SharedReference;
        Assert.Equal(Expected, Directory.GetFiles(copy).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        if (ReferenceFiles.FindAbove(Path.Combine("shared", "reference")) is not { } shared) return; // a clone on its own
        Assert.Equal(Expected, Directory.GetFiles(shared).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in Expected)
            Assert.True(SHA256.HashData(File.ReadAllBytes(Path.Combine(copy, name))).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(Path.Combine(shared, name)))),
                $"tests/reference/shared/{name} differs from {Path.Combine(shared, name)}: copy it again");
    }
}
