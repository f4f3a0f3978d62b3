package com.helloapi.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Token buckets per client: the burst, the refill, the wait it reports, other clients, bounded memory. */
class RateLimiterUnitTest {

    long now = 1_000_000_000L;

    final RateLimiter limiter = new RateLimiter(2, 3, 100, () -> now);

    @Test
    void allowsTheBurstThenRefuses() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("203.0.113.1")).isZero();
        }
        assertThat(limiter.acquire("203.0.113.1")).isPositive();
    }

    @Test
    void saysHowLongUntilTheNextRequest() {
        burst("203.0.113.1");

        assertThat(limiter.acquire("203.0.113.1")).isEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void refillsAtTheRate() {
        burst("203.0.113.1");
        now += Duration.ofMillis(500).toNanos();

        assertThat(limiter.acquire("203.0.113.1")).isZero();
        assertThat(limiter.acquire("203.0.113.1")).isPositive();
    }

    @Test
    void refillsNoFurtherThanTheBurst() {
        burst("203.0.113.1");
        now += Duration.ofHours(1).toNanos();

        burst("203.0.113.1");
        assertThat(limiter.acquire("203.0.113.1")).isPositive();
    }

    @Test
    void otherClientsAreUnaffected() {
        burst("203.0.113.1");

        assertThat(limiter.acquire("203.0.113.1")).isPositive();
        assertThat(limiter.acquire("203.0.113.2")).isZero();
    }

    @Test
    void remembersAtMostMaxClients() {
        RateLimiter small = new RateLimiter(2, 3, 10, () -> now);
        for (int i = 0; i < 1_000; i++) {
            small.acquire("client-" + i);
        }

        assertThat(small.clients()).isEqualTo(10);
    }

    void burst(String client) {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(client)).isZero();
        }
    }
}
