package com.helloapi.settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Reads a secret's string from Secrets Manager through the AWS SDK's standard settings (credentials chain,
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}), with the region taken from the ARN as the JDBC wrapper's plugin takes it,
 * else the environment's. For values read once at start-up; the database's credentials are the driver's to read.
 */
public final class SecretsManagerSecrets {

    private static final Pattern REGION = Pattern.compile("^arn:[^:]+:secretsmanager:([^:]+):.*");

    private SecretsManagerSecrets() {
    }

    /** The secret's current string value; the client is closed once it is read. */
    public static String read(String secretArn) {
        Matcher region = REGION.matcher(secretArn);
        var builder = SecretsManagerClient.builder();
        if (region.matches()) {
            builder.region(Region.of(region.group(1)));
        }
        try (SecretsManagerClient client = builder.build()) {
            return client.getSecretValue(request -> request.secretId(secretArn)).secretString();
        }
    }
}
