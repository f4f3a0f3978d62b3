package com.helloapi.lambda;

import java.util.Map;

import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The users contract through aws-serverless-java-container's stock {@code SpringBootLambdaContainerHandler} with API
 * Gateway HTTP API payload format 2.0 events, the format template.yaml deploys. The cases it fails are skipped, each
 * naming its defect in docs/lambda-stock-handler-issues.md; every other case must pass.
 */
@ExtendWith(LambdaStockV2ContractIntegrationTest.KnownDefects.class)
class LambdaStockV2ContractIntegrationTest extends UsersContract {

    /** Contract case (method name) to the section of docs/lambda-stock-handler-issues.md that explains its failure. */
    static final Map<String, String> KNOWN_DEFECTS = Map.of("headAnswersLikeGetWithoutBody",
            "stock handler defect: docs/lambda-stock-handler-issues.md, 1. HEAD responses carry the GET body");

    @BeforeAll
    static void startHandler() {
        LambdaTargets.stockHttpApiHandler();
    }

    @Override
    protected Target target() {
        return LambdaTargets.stockHttpApi();
    }

    /**
     * Skips the contract cases listed in {@link #KNOWN_DEFECTS} (UsersContract's cases are package-private, so they
     * cannot be overridden here), with the defect as the reason.
     */
    static class KnownDefects implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                .map(method -> KNOWN_DEFECTS.get(method.getName()))
                .map(ConditionEvaluationResult::disabled)
                .orElse(ConditionEvaluationResult.enabled("not a known stock handler defect"));
        }
    }
}
