namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// R's default uniform generator, reproduced to the bit: the Mersenne Twister (Matsumoto &amp; Nishimura 1998, MT19937)
/// seeded as R's <c>set.seed(seed)</c> seeds it (50 scrambling steps of the congruential generator 69069·s + 1, then
/// 625 more filling R's state), each draw <c>y · 2.3283064365386963e-10</c> moved off 0 and 1 as R's <c>fixup</c> does. So
/// a simulation written as R writes it gives R's numbers, and a seeded Monte Carlo p-value can be checked against R's.
/// </summary>
public sealed class RUniform
{
    private const int N = 624, M = 397;
    private const uint MatrixA = 0x9908b0df, UpperMask = 0x80000000, LowerMask = 0x7fffffff;
    private const double TwoToMinus32 = 2.3283064365386963e-10, I2To32Minus1 = 2.328306437080797e-10;

    private readonly uint[] _mt = new uint[N];
    private int _mti;

    /// <summary>The generator after R's <c>set.seed(<paramref name="seed"/>)</c> (kind Mersenne-Twister, R's default).</summary>
    public RUniform(int seed)
    {
        var s = unchecked((uint)seed);
        for (int j = 0; j < 50; j++) s = unchecked(69069 * s + 1);
        // R fills i_seed[0..624]; i_seed[0] is the position, set to 624 (FixupSeeds), the rest is the state.
        s = unchecked(69069 * s + 1);
        for (int j = 0; j < N; j++)
        {
            s = unchecked(69069 * s + 1);
            _mt[j] = s;
        }
        _mti = N;
    }

    /// <summary>The next draw in (0, 1), as R's <c>unif_rand()</c>.</summary>
    public double Next()
    {
        if (_mti >= N)
        {
            int kk;
            uint y;
            for (kk = 0; kk < N - M; kk++)
            {
                y = (_mt[kk] & UpperMask) | (_mt[kk + 1] & LowerMask);
                _mt[kk] = _mt[kk + M] ^ (y >> 1) ^ ((y & 1) * MatrixA);
            }
            for (; kk < N - 1; kk++)
            {
                y = (_mt[kk] & UpperMask) | (_mt[kk + 1] & LowerMask);
                _mt[kk] = _mt[kk + (M - N)] ^ (y >> 1) ^ ((y & 1) * MatrixA);
            }
            y = (_mt[N - 1] & UpperMask) | (_mt[0] & LowerMask);
            _mt[N - 1] = _mt[M - 1] ^ (y >> 1) ^ ((y & 1) * MatrixA);
            _mti = 0;
        }
        uint t = _mt[_mti++];
        t ^= t >> 11;
        t ^= (t << 7) & 0x9d2c5680;
        t ^= (t << 15) & 0xefc60000;
        t ^= t >> 18;
        double x = t * TwoToMinus32;
        if (x <= 0.0) return 0.5 * I2To32Minus1;
        if (1.0 - x <= 0.0) return 1.0 - 0.5 * I2To32Minus1;
        return x;
    }

    /// <summary>
    /// R's <c>R_unif_index(n)</c> under <c>sample.kind = "Rejection"</c> (R's default since 3.6.0): an index in 0..n − 1,
    /// drawn as <c>ceil(log2(n))</c> random bits (16 bits, <c>floor(65536 · unif_rand())</c>, per draw, for every 16 bits
    /// begun, the surplus masked off), again until the value is below n. So <c>sample(n, size, replace = TRUE)</c> is
    /// <c>size</c> of these, each + 1.
    /// </summary>
    /// <param name="n">How many values to draw from, at least 1.</param>
    public int Index(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        int bits = 0;
        while ((1L << bits) < n) bits++;
        long mask = (1L << bits) - 1;
        long v;
        do
        {
            v = 0;
            for (int drawn = 0; drawn <= bits; drawn += 16) v = 65536 * v + (long)Math.Floor(Next() * 65536);
            v &= mask;
        }
        while (v >= n);
        return (int)v;
    }
}
