package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;

/**
 * Binds a job's positional parameters (JSON scalars as the decoder produced them) to a
 * prepared statement, after checking that the database counted exactly as many placeholders.
 * Stateless; thread-safe.
 */
final class Parameters {
    private Parameters() {
    }

    /** Binds every parameter; the error when their number or a type does not fit. */
    static Optional<ExecError> bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        int placeholders = statement.getParameterMetaData().getParameterCount();
        if (placeholders != parameters.size()) {
            return Optional.of(ExecError.of(ErrorCode.INVALID_INPUT, "the query has " + placeholders
                    + " placeholder(s) but " + parameters.size() + " parameter(s) were given"));
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!bindOne(statement, i + 1, parameters.get(i))) {
                return Optional.of(ExecError.of(ErrorCode.INVALID_INPUT,
                        "parameter " + (i + 1) + " must be a string, number, boolean or null"));
            }
        }
        return Optional.empty();
    }

    private static boolean bindOne(PreparedStatement statement, int index, Object value) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, Types.NULL);
            case String text -> statement.setString(index, text);
            case Boolean flag -> statement.setBoolean(index, flag);
            case Integer number -> statement.setLong(index, number);
            case Long number -> statement.setLong(index, number);
            case BigInteger number -> statement.setBigDecimal(index, new BigDecimal(number));
            case BigDecimal number -> statement.setBigDecimal(index, number);
            case Double number -> statement.setDouble(index, number);
            case Float number -> statement.setDouble(index, number);
            default -> {
                return false;
            }
        }
        return true;
    }
}
