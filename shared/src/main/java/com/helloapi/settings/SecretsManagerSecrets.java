package com.helloapi.settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Reads a secret's string from Secrets Manager through the AWS SDK's standard settings (credentials chain,
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}), with the region taken from the ARN, else the environment's. The
 * database's credentials are the Secrets Manager JDBC driver's to read, through {@link #clientFor}.
 */
public final class SecretsManagerSecrets {

    private static final Pattern REGION = Pattern.compile("^arn:[^:]+:secretsmanager:([^:]+):.*");

    private SecretsManagerSecrets() {
    }

    /** The secret's current string value; the client is closed once it is read. */
    public static String read(String secretArn) {
        try (SecretsManagerClient client = clientFor(secretArn)) {
            return client.getSecretValue(request -> request.secretId(secretArn)).secretString();
        }
    }

    /** A client for the secret's region (from its ARN, else the environment's). */
    public static SecretsManagerClient clientFor(String secretArn) {
        Matcher region = REGION.matcher(secretArn);
        var builder = SecretsManagerClient.builder();
        if (region.matches()) {
            builder.region(Region.of(region.group(1)));
        }
        return builder.build();
    }
}
