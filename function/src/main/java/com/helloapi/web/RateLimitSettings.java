package com.helloapi.web;

import java.util.ArrayList;
import java.util.List;

import com.helloapi.settings.InvalidSettingsException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The request rate allowed per client IP: {@code RATE_LIMIT_PER_SECOND} (0, the default, turns the limit off), a
 * burst of {@code RATE_LIMIT_BURST} requests at once (default: one second's worth), and at most
 * {@code RATE_LIMIT_MAX_CLIENTS} clients remembered at a time.
 */
@ConfigurationProperties("helloapi.rate-limit")
record RateLimitSettings(@DefaultValue("0") int perSecond, @DefaultValue("0") int burst,
        @DefaultValue("10000") int maxClients) {

    /** @throws InvalidSettingsException naming every wrong setting */
    RateLimitSettings {
        List<String> problems = new ArrayList<>();
        if (perSecond < 0) {
            problems.add("RATE_LIMIT_PER_SECOND must be 0 (off) or more, not " + perSecond);
        }
        if (burst < 0) {
            problems.add("RATE_LIMIT_BURST must be 0 (one second's worth) or more, not " + burst);
        }
        if (maxClients < 1) {
            problems.add("RATE_LIMIT_MAX_CLIENTS must be at least 1, not " + maxClients);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(String.join("; ", problems));
        }
    }

    boolean enabled() {
        return perSecond > 0;
    }

    /** How many requests a client may send at once before the rate applies. */
    int capacity() {
        return burst > 0 ? burst : perSecond;
    }
}
