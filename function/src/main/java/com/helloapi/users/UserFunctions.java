package com.helloapi.users;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DuplicateKeyException;

/**
 * The user handlers, as Spring Cloud Function beans: the same beans answer HTTP requests (through {@code users.web})
 * in the container and in Lambda, and can be invoked one by one with a JSON payload (FunctionInvoker). Failures are
 * exceptions of this package: {@link InvalidInputException}, {@link UserNotFoundException},
 * {@link EmailTakenException}, {@link VersionMismatchException}.
 */
@Configuration(proxyBeanMethods = false)
public class UserFunctions {

    @Bean
    public Function<Map<String, Object>, User> createUser(Users users) {
        return body -> {
            UserFields fields = UserFields.complete(body);
            return unlessEmailTaken(() -> users.insert(fields.name(), fields.email()));
        };
    }

    @Bean
    public Function<Long, User> getUser(Users users) {
        return id -> users.findById(id).orElseThrow(() -> new UserNotFoundException(id));
    }

    /** One keyset page: it reads one user more than asked to learn whether another page follows. */
    @Bean
    public Function<UserQuery, UserPage> listUsers(Users users) {
        return query -> {
            int limit = query.limit();
            String email = query.email();
            Long beforeId = query.beforeId();
            if (beforeId != null) {
                List<User> descending = email == null ? users.findBefore(beforeId, limit + 1)
                        : users.findByEmailBefore(email, beforeId, limit + 1);
                List<User> page = new ArrayList<>(descending.subList(0, Math.min(limit, descending.size())));
                Collections.reverse(page);
                return new UserPage(List.copyOf(page), true, descending.size() > limit);
            }
            long afterId = query.afterId() == null ? 0 : query.afterId();
            List<User> ascending = email == null ? users.findAfter(afterId, limit + 1)
                    : users.findByEmailAfter(email, afterId, limit + 1);
            return new UserPage(List.copyOf(ascending.subList(0, Math.min(limit, ascending.size()))),
                    ascending.size() > limit, query.afterId() != null);
        };
    }

    /** Replaces name and e-mail address (PUT): both are required. */
    @Bean
    public Function<UserUpdate, User> updateUser(Users users) {
        return update -> change(users, update, UserFields.complete(update.fields()));
    }

    /** Changes the fields given (PATCH): any subset, none null. */
    @Bean
    public Function<UserUpdate, User> patchUser(Users users) {
        return update -> change(users, update, UserFields.partial(update.fields()));
    }

    @Bean
    public Consumer<UserDeletion> deleteUser(Users users) {
        return deletion -> {
            if (users.delete(deletion.id(), deletion.expectedVersion()) == 0) {
                throw missingOrChanged(users, deletion.id());
            }
        };
    }

    private static User change(Users users, UserUpdate update, UserFields fields) {
        return unlessEmailTaken(
                () -> users.update(update.id(), fields.name(), fields.email(), update.expectedVersion()))
            .orElseThrow(() -> missingOrChanged(users, update.id()));
    }

    /** A conditional write that changed nothing: either the user is gone or its version moved on. */
    private static RuntimeException missingOrChanged(Users users, long id) {
        return users.existsById(id) ? new VersionMismatchException(id) : new UserNotFoundException(id);
    }

    private static <T> T unlessEmailTaken(Supplier<T> write) {
        try {
            return write.get();
        }
        catch (DuplicateKeyException ex) {
            throw new EmailTakenException();
        }
    }
}
