#pragma once

#include <type_traits>
#include <utility>
#include <variant>

// Marks a value as the error of an Expected, where the value and error types are the same.
template<typename E>
struct Unexpected
{
    E error;
};

// A value or the reason there is none; the error half of an operation that can fail.
template<typename T, typename E>
class Expected
{
public:
    Expected(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Expected(E error) requires(!std::is_same_v<T, E>)
        : m_data(std::in_place_index<1>, std::move(error))
    {}
    Expected(Unexpected<E> error) : m_data(std::in_place_index<1>, std::move(error.error)) {}

    bool hasValue() const { return m_data.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const E &error() const & { return std::get<1>(m_data); }
    E &&error() && { return std::get<1>(std::move(m_data)); }

private:
    std::variant<T, E> m_data;
};
