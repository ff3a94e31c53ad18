package dev.petrel.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorBudgetTest {
    @Test
    void eachKindIsCountedApartAndTheOneOverTheLimitExhaustsIt() {
        ErrorBudget budget = new ErrorBudget(2, 1);
        assertThat(budget.unknownCommandExhausts()).isFalse();
        assertThat(budget.protocolErrorExhausts()).isFalse();
        assertThat(budget.unknownCommandExhausts()).isFalse();
        assertThat(budget.unknownCommandExhausts()).isTrue();
        assertThat(budget.protocolErrorExhausts()).isTrue();
    }

    @Test
    void aZeroBudgetEndsAtTheFirstError() {
        assertThat(new ErrorBudget(0, 0).unknownCommandExhausts()).isTrue();
        assertThat(new ErrorBudget(0, 0).protocolErrorExhausts()).isTrue();
    }
}
