package com.helloapi.lambda;

import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.BeforeAll;

/**
 * The users contract through the Lambda handler (the stock SpringBootLambdaContainerHandler with its fixes) with API
 * Gateway HTTP API payload format 2.0 events, the format template.yaml deploys. Every case must pass.
 */
class LambdaV2ContractIntegrationTest extends UsersContract {

    @BeforeAll
    static void startHandler() {
        LambdaTargets.handler();
    }

    @Override
    protected Target target() {
        return LambdaTargets.httpApi();
    }
}
