package com.helloapi.web;

import java.util.List;

import com.helloapi.settings.InvalidSettingsException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Who the client is (the left-most untrusted address), and the settings of the limit. */
class RateLimitFilterUnitTest {

    @Test
    void aPublicRemoteAddressIsTheClientWhateverItForwards() {
        assertThat(RateLimitFilter.client("203.0.113.9", List.of("198.51.100.7"))).isEqualTo("203.0.113.9");
    }

    @Test
    void behindAProxyInAPrivateNetworkTheClientIsTheEntryItAppended() {
        assertThat(RateLimitFilter.client("10.0.1.23", List.of("6.6.6.6, 198.51.100.7"))).isEqualTo("198.51.100.7");
        assertThat(RateLimitFilter.client("127.0.0.1", List.of("1.1.1.1", "198.51.100.7"))).isEqualTo("198.51.100.7");
        assertThat(RateLimitFilter.client("0:0:0:0:0:0:0:1", List.of("2001:db8::1")))
            .isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void withoutAForwardedAddressTheProxyIsTheClient() {
        assertThat(RateLimitFilter.client("10.0.1.23", List.of())).isEqualTo("10.0.1.23");
        for (String garbage : List.of("", "evil", "999.1.1.1", "1.2.3.4:80", "example.com", "' OR 1=1 --",
                "1.1.1.1, unknown", "[::1]", "::1%eth0", "x".repeat(1_000))) {
            assertThat(RateLimitFilter.client("10.0.1.23", List.of(garbage))).as(garbage).isEqualTo("10.0.1.23");
        }
    }

    @Test
    void isOffByDefaultAndTheBurstDefaultsToOneSecondsWorth() {
        assertThat(new RateLimitSettings(0, 0, 10_000).enabled()).isFalse();
        assertThat(new RateLimitSettings(5, 0, 10_000).capacity()).isEqualTo(5);
        assertThat(new RateLimitSettings(5, 20, 10_000).capacity()).isEqualTo(20);
    }

    @Test
    void rejectsSettingsThatMakeNoSense() {
        assertThatExceptionOfType(InvalidSettingsException.class)
            .isThrownBy(() -> new RateLimitSettings(-1, -1, 0))
            .withMessageContaining("RATE_LIMIT_PER_SECOND")
            .withMessageContaining("RATE_LIMIT_BURST")
            .withMessageContaining("RATE_LIMIT_MAX_CLIENTS");
    }
}
