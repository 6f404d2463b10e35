using System.Collections.Concurrent;

namespace AlliancePipeline.LocalHost.Triggers;

/// <summary>
/// Wakes the listener of a queue when this host has just put a message on it (an output binding, a poison move), so
/// it polls at once instead of finishing its back-off: the WebJobs extension's <c>SharedQueueWatcher</c>.
/// </summary>
internal sealed class QueueWatcher
{
    private readonly ConcurrentDictionary<string, Action> _listeners = new(StringComparer.OrdinalIgnoreCase);

    public void Register(string queueName, Action notify) => _listeners[queueName] = notify;

    public void Notify(string queueName)
    {
        if (_listeners.TryGetValue(queueName, out var notify)) notify();
    }
}

/// <summary>
/// The polling back-off of the WebJobs storage extension (<c>RandomizedExponentialBackoffStrategy</c>, minimum
/// 100 ms): after a poll that found messages the next wait is the minimum; each empty poll after that adds
/// <c>minimum × 2^(n-1)</c>, randomized by ±20 %, until <c>maxPollingInterval</c>.
/// </summary>
internal sealed class RandomizedExponentialBackoff(TimeSpan minimum, TimeSpan maximum, Random? random = null)
{
    /// <summary>The randomization of each step.</summary>
    public const double RandomizationFactor = 0.2;

    private readonly Random _random = random ?? Random.Shared;
    private TimeSpan _current;
    private uint _exponent;

    /// <summary>The next wait; <paramref name="foundMessages"/> is whether messages were found since the last wait.</summary>
    public TimeSpan Next(bool foundMessages)
    {
        if (foundMessages)
        {
            _current = minimum;
            _exponent = 1;
        }
        else if (_current != maximum)
        {
            var interval = minimum;
            if (_exponent > 0)
            {
                var factor = 1.0 - RandomizationFactor + (_random.NextDouble() * 2 * RandomizationFactor);
                interval += TimeSpan.FromMilliseconds(factor * Math.Pow(2.0, _exponent - 1) * minimum.TotalMilliseconds);
            }

            if (interval < maximum)
            {
                _current = interval;
                _exponent++;
            }
            else
            {
                _current = maximum;
            }
        }

        return _current;
    }
}
