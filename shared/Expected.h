#pragma once

#include <type_traits>
#include <utility>
#include <variant>

// The project's one error convention, spelled like C++23's std::expected (which GCC 12 does
// not have): Expected<T, E> holds a T or the E that says why there is none;
// Expected<void, E> is success or an E. Build an error with Unexpected{e} where T and E
// could be confused, or just return the E.
template<typename E>
struct Unexpected
{
    E error;
};
template<typename E>
Unexpected(E) -> Unexpected<E>;

template<typename T, typename E>
class Expected
{
public:
    Expected(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Expected(E error) requires(!std::is_same_v<T, E>)
        : m_data(std::in_place_index<1>, std::move(error))
    {}
    Expected(Unexpected<E> error) : m_data(std::in_place_index<1>, std::move(error.error)) {}

    bool has_value() const { return m_data.index() == 0; }
    explicit operator bool() const { return has_value(); }

    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const E &error() const & { return std::get<1>(m_data); }
    E &&error() && { return std::get<1>(std::move(m_data)); }

private:
    std::variant<T, E> m_data;
};

template<typename E>
class Expected<void, E>
{
public:
    Expected() = default;
    Expected(E error) : m_error(std::move(error)), m_failed(true) {}
    Expected(Unexpected<E> error) : m_error(std::move(error.error)), m_failed(true) {}

    bool has_value() const { return !m_failed; }
    explicit operator bool() const { return has_value(); }

    const E &error() const & { return m_error; }
    E &&error() && { return std::move(m_error); }

private:
    E m_error{};
    bool m_failed = false;
};
