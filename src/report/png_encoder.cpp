#include "report/png_encoder.hpp"

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <png.h>

#include "proxima/core/error.hpp"

namespace proxima::detail {

namespace {

bool opaque(const unsigned char* data, int width, int height, int stride) {
    for (int y = 0; y < height; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (int x = 0; x < width; ++x) {
            if ((row[x] >> 24) != 0xFF) {
                return false;
            }
        }
    }
    return true;
}

std::string cairo_png(cairo_surface_t* surface, const std::string& what) {
    std::string png;
    const auto append = [](void* closure, const unsigned char* data, unsigned int length) -> cairo_status_t {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    };
    const cairo_status_t status = cairo_surface_write_to_png_stream(surface, append, &png);
    if (status != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot encode the image '{}': {}", what, cairo_status_to_string(status)));
    }
    return png;
}

void append_png_data(png_structp png, png_bytep data, png_size_t length) {
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
}

void no_flush(png_structp) {}

// libpng reports errors by longjmp: the message is kept for the exception thrown after it.
struct ErrorSink {
    std::string message;
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
    static_cast<ErrorSink*>(png_get_error_ptr(png))->message = message;
    png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

// Filled row by row from the surface, before setjmp: no object with a destructor lives in the
// frame that longjmp leaves.
struct Rows {
    std::vector<unsigned char> rgb;
    std::vector<png_bytep> pointers;
};

Rows rgb_rows(const unsigned char* data, int width, int height, int stride) {
    Rows r;
    r.rgb.resize(static_cast<std::size_t>(width) * 3 * static_cast<std::size_t>(height));
    r.pointers.resize(static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y) {
        const auto* in = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        unsigned char* out = r.rgb.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width) * 3;
        for (int x = 0; x < width; ++x) {
            const std::uint32_t p = in[x];  // native-endian 0xAARRGGBB, opaque: not premultiplied
            out[3 * x] = static_cast<unsigned char>(p >> 16);
            out[3 * x + 1] = static_cast<unsigned char>(p >> 8);
            out[3 * x + 2] = static_cast<unsigned char>(p);
        }
        r.pointers[static_cast<std::size_t>(y)] = out;
    }
    return r;
}

bool encode_rgb(Rows& rows, int width, int height, PngRowFilter filter, std::string& out, ErrorSink& sink) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_png_error, on_png_warning);
    if (png == nullptr) {
        sink.message = "libpng could not start (out of memory?)";
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_write_struct(&png, nullptr);
        sink.message = "libpng could not start (out of memory?)";
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {  // libpng failed: on_png_error kept its message
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &out, append_png_data, no_flush);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 3);
    // No filter: a map is flat fills, hatching and antialiased edges, whose raw bytes repeat
    // exactly (the same few colours), which zlib matches; a predictor turns the edges into
    // residues that do not repeat. On the real maps (1 M mosaic, Andorra, Riviera) Paeth made
    // files 1.2 times larger and took 1.4 to 1.9 times as long to write, 1.9 to 2.4 to read.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filter == PngRowFilter::paeth ? PNG_FILTER_PAETH : PNG_FILTER_NONE);
    png_write_info(png, info);
    png_write_image(png, rows.pointers.data());
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

} // namespace

std::string encode_png(cairo_surface_t* surface, const std::string& what, PngRowFilter filter) {
    cairo_surface_flush(surface);
    const cairo_format_t format = cairo_image_surface_get_format(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const int width = cairo_image_surface_get_width(surface);
    const int height = cairo_image_surface_get_height(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    const bool rgb = format == CAIRO_FORMAT_RGB24 ||
                     (format == CAIRO_FORMAT_ARGB32 && data != nullptr && opaque(data, width, height, stride));
    if (!rgb || data == nullptr || width <= 0 || height <= 0) {
        return cairo_png(surface, what);
    }
    Rows rows = rgb_rows(data, width, height, stride);
    std::string out;
    ErrorSink sink;
    if (!encode_rgb(rows, width, height, filter, out, sink)) {
        throw OutputError(fmt::format("cannot encode the image '{}': {}", what, sink.message));
    }
    return out;
}

} // namespace proxima::detail
