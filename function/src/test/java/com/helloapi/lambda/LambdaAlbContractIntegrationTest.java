package com.helloapi.lambda;

import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.BeforeAll;

/** The users contract through the Lambda handler with ALB target group events with multi-value headers. */
class LambdaAlbContractIntegrationTest extends UsersContract {

    @BeforeAll
    static void startHandler() {
        LambdaTargets.handler();
    }

    @Override
    protected Target target() {
        return LambdaTargets.alb();
    }
}
