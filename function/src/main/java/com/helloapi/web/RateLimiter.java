package com.helloapi.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: each holds up to {@code capacity} requests and refills at {@code perSecond}. Only the
 * {@code maxClients} most recently seen clients are remembered, so a flood of addresses cannot grow the map without
 * limit; a client forgotten that way starts again with a full bucket.
 */
class RateLimiter {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double perNano;

    private final double capacity;

    private final LongSupplier nanoClock;

    private final Map<String, Bucket> buckets;

    RateLimiter(int perSecond, int capacity, int maxClients, LongSupplier nanoClock) {
        this.perNano = perSecond / NANOS_PER_SECOND;
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** @return 0 if the client may go ahead, or else how many nanoseconds until it may */
    synchronized long acquire(String client) {
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(client, key -> new Bucket(capacity, now));
        bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) * perNano);
        bucket.updated = now;
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - bucket.tokens) / perNano);
    }

    synchronized int clients() {
        return buckets.size();
    }

    /** Requests left to a client, and when that was last worked out. */
    private static final class Bucket {

        double tokens;

        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }
}
