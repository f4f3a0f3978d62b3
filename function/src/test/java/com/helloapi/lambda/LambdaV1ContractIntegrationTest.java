package com.helloapi.lambda;

import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.BeforeAll;

/**
 * The users contract through the Lambda handler with API Gateway REST API (v1) events, every body base64-encoded as
 * binary media types {@code *}/{@code *} make them.
 */
class LambdaV1ContractIntegrationTest extends UsersContract {

    @BeforeAll
    static void startHandler() {
        LambdaTargets.handler();
    }

    @Override
    protected Target target() {
        return LambdaTargets.restApi();
    }
}
