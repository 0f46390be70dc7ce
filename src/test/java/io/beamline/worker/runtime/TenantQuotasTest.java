package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantQuotasTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    private TenantQuotas quotas(QuotaConfig.Limits defaults, Map<String, QuotaConfig.Limits> tenants) {
        return new TenantQuotas(new QuotaConfig(60_000, defaults, tenants), now::get);
    }

    @Test
    void aTenantWithoutLimitsIsNeverRefused() {
        TenantQuotas quotas = quotas(QuotaConfig.Limits.UNLIMITED, Map.of());
        for (int i = 0; i < 10_000; i++) {
            assertThat(quotas.tryAdmit("acme", 1 << 20)).isEmpty();
        }
        quotas.finished("acme", 1 << 20, 5);
        quotas.undoAdmit("acme", 1 << 20);
        assertThat(quotas.tryAdmit("acme", Long.MAX_VALUE / 2)).isEmpty();
    }

    @Test
    void limitsOfOneTenantCountOnlyThatTenant() {
        TenantQuotas quotas = quotas(QuotaConfig.Limits.UNLIMITED,
                Map.of("small", new QuotaConfig.Limits(0, 2, 0, 0, 1)));

        assertThat(quotas.tryAdmit("small", 10)).isEmpty();
        assertThat(quotas.tryAdmit("small", 10)).isEmpty();
        assertThat(quotas.tryAdmit("small", 10)).hasValueSatisfying(r -> {
            assertThat(r.message()).contains("tenant small reached 2 executions per 60000 ms");
            assertThat(r.retryAfterMs()).isEqualTo(60_000);
        });
        assertThat(quotas.tryAdmit("big", 10)).as("a tenant on the unlimited defaults").isEmpty();

        now.addAndGet(60_000);
        assertThat(quotas.tryAdmit("small", 10)).as("a new window").isEmpty();
    }

    @Test
    void bytesInFlightComeBackWhenAStepFinishesOrIsUndone() {
        TenantQuotas quotas = quotas(new QuotaConfig.Limits(0, 0, 0, 100, 1), Map.of());

        assertThat(quotas.tryAdmit("acme", 60)).isEmpty();
        assertThat(quotas.tryAdmit("acme", 60)).isPresent();
        quotas.finished("acme", 60, 0);
        assertThat(quotas.tryAdmit("acme", 60)).isEmpty();
        quotas.undoAdmit("acme", 60);
        assertThat(quotas.tryAdmit("acme", 100)).isEmpty();
    }

    @Test
    void cpuTimeChargedByFinishedStepsRefusesUntilTheNextWindow() {
        TenantQuotas quotas = quotas(new QuotaConfig.Limits(0, 0, 50, 0, 1), Map.of());

        assertThat(quotas.tryAdmit("acme", 1)).isEmpty();
        quotas.finished("acme", 1, 50);
        assertThat(quotas.tryAdmit("acme", 1)).hasValueSatisfying(r -> assertThat(r.message()).contains("CPU time quota of 50 ms"));
        now.addAndGet(60_000);
        assertThat(quotas.tryAdmit("acme", 1)).isEmpty();
    }
}
